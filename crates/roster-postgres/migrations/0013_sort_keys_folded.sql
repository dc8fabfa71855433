-- Display names sort without regard to case or accents (issue 16): the key in
-- display_name_key is now folded by roster_core::paging::display_name_key. SQL
-- cannot fold Unicode, so this row asks the server to re-key the existing users
-- once, in Rust, right after the migrations; it deletes the row when done. New and
-- renamed users get the folded key as they are written.
CREATE TABLE maintenance_pending (
    task TEXT PRIMARY KEY
);
INSERT INTO maintenance_pending (task) VALUES ('fold_display_name_keys');
