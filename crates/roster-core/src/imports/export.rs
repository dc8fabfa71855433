//! Writing users out in the import template's columns, so a file exported and
//! imported again recreates the same users. CSV is UTF-8 with a BOM and CRLF, as
//! Excel opens it with every name intact; XLSX is one sheet.

use super::Column;
use crate::domain::Language;
use crate::model::User;

/// A cell a spreadsheet would run as a formula gets a leading apostrophe, which
/// Excel shows as text and the importer takes off again.
pub fn defuse(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() }
}

/// The template's cells for one user, in column order, as stored.
pub fn cells(user: &User) -> [String; 7] {
    let licenses: Vec<&str> = user.licenses.iter().map(|l| l.product_id.as_str()).collect();
    [
        user.first_name.clone().unwrap_or_default(),
        user.last_name.clone().unwrap_or_default(),
        user.display_name.clone(),
        user.user_principal_name.clone(),
        user.usage_location.clone().unwrap_or_default(),
        user.roles.names().join(";"),
        licenses.join(";"),
    ]
}

pub fn csv_header(language: Language) -> String {
    let names: Vec<String> = Column::ALL.iter().map(|c| csv_field(c.header(language))).collect();
    format!("\u{feff}{}\r\n", names.join(","))
}

pub fn csv_row(user: &User) -> String {
    let fields: Vec<String> = cells(user).iter().map(|c| csv_field(&defuse(c))).collect();
    format!("{}\r\n", fields.join(","))
}

/// A CSV field, quoted when it holds a delimiter, a quote or a line break.
pub fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// The API's header of the file of temporary passwords; scripts read it by name.
pub const CREDENTIALS_HEADERS: [&str; 3] = ["Username", "Display name", "Temporary password"];

/// The file of temporary passwords that the console downloads and emails (with
/// its headers in the agent's language), and that the API hands out and
/// `roster import users --credentials-out` writes (with [`CREDENTIALS_HEADERS`]),
/// from (username, display name, password). UTF-8 with a BOM, so Excel opens it
/// with the names intact.
pub fn credentials_csv<'a, H: AsRef<str>>(
    headers: &[H; 3],
    credentials: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> String {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = headers.iter().map(|h| csv_field(h.as_ref())).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for (user_principal_name, display_name, password) in credentials {
        out.push_str(&format!(
            "{},{},{}\r\n",
            csv_field(&defuse(user_principal_name)),
            csv_field(&defuse(display_name)),
            csv_field(password)
        ));
    }
    out
}

/// The worksheet's name, in the file's language.
fn sheet_name(language: Language) -> &'static str {
    match language {
        Language::En => "Users",
        Language::Fr => "Utilisateurs",
        Language::Ru => "Пользователи",
        Language::ZhCn => "用户",
        Language::It => "Utenti",
    }
}

/// An XLSX workbook of the template's header and these users.
pub fn xlsx<'a>(language: Language, users: impl IntoIterator<Item = &'a User>) -> Result<Vec<u8>, String> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| e.to_string();
    sheet.set_name(sheet_name(language)).map_err(fail)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, column) in Column::ALL.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, column.header(language), &bold).map_err(fail)?;
        sheet.set_column_width(col as u16, 22).map_err(fail)?;
    }
    for (row, user) in users.into_iter().enumerate() {
        for (col, cell) in cells(user).iter().enumerate() {
            // A string cell is never run as a formula, so XLSX needs no apostrophe.
            if !cell.is_empty() {
                sheet.write_string(row as u32 + 1, col as u16, cell).map_err(fail)?;
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_looking_cells_are_defused_and_read_back_unchanged() {
        for value in ["=SUM(A1)", "+1", "-x", "@me", "plain"] {
            let defused = defuse(value);
            assert_eq!(crate::imports::undefuse(&defused), value);
            assert_eq!(defused.starts_with('\''), value != "plain");
        }
        // An apostrophe the user typed stays.
        assert_eq!(crate::imports::undefuse("'quoted"), "'quoted");
    }
}
