//! Import files: reading whatever Excel or LibreOffice saves (`file`), checking
//! its rows against a customer before anything is written (`check`), and writing
//! users out in the same columns (`export`), so that a file exported and imported
//! again recreates the same users.
//!
//! Nothing here knows the core's `Error`: a file that cannot be imported is an
//! `ImportError`, which `crate::error` converts.

mod check;
mod csv_file;
pub mod export;
mod file;
mod xlsx_file;

pub use check::{
    CheckedRow, ImportContext, RowPayload, RowProblem, RowReport, check_rows, check_rows_each, username_key,
};
pub use file::{
    Column, FileError, MAX_BYTES, MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT_BYTES, Sheet, SheetRow, read,
    split_list, undefuse,
};
pub use xlsx_file::{MAX_ENTRIES, MAX_INFLATED_BYTES, MAX_RATIO, MAX_SHARED_STRINGS};

/// Why a file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read as a whole.
    #[error("{0}")]
    File(#[from] FileError),
    /// Rows of the file are wrong; nothing was written.
    #[error("{} rows of the file have problems; nothing was imported", .0.len())]
    Rows(Vec<RowReport>),
}

impl ImportError {
    /// The stable code of API.md.
    pub fn code(&self) -> &'static str {
        match self {
            Self::File(e) => e.code(),
            Self::Rows(_) => "validation_failed",
        }
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn fixtures() -> Vec<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/import");
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter(|e| !e.file_name().to_string_lossy().ends_with(".py"))
                    .filter_map(|e| std::fs::read(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Reading and checking must answer every input with a sheet or an error.
    fn read_and_check(bytes: &[u8]) {
        if let Ok(sheet) = read(bytes) {
            let catalog = crate::catalog::Catalog::default();
            let domains = ["fixtures.example".to_owned()];
            let taken = HashSet::new();
            let ctx = ImportContext {
                domains: &domains,
                default_location: None,
                catalog: &catalog,
                seats: &[],
                taken: &taken,
            };
            let checked = check_rows(&sheet, &ctx);
            assert_eq!(checked.len(), sheet.rows.len());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            read_and_check(&bytes);
        }

        #[test]
        fn random_text_with_delimiters_and_quotes_never_panics(
            text in "[a-zA-Zé@.;,|\t\"\r\n -]{0,600}",
            header in prop_oneof![Just("Display name,Username\n"), Just("Nom d'affichage;Nom d'utilisateur;Rôles\r\n"), Just("")],
        ) {
            read_and_check(format!("{header}{text}").as_bytes());
        }

        #[test]
        fn mutated_fixtures_never_panic(pick in any::<prop::sample::Index>(), edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16), cut in any::<prop::sample::Index>()) {
            let files = fixtures();
            prop_assume!(!files.is_empty());
            let mut bytes = files[pick.index(files.len())].clone();
            for (at, byte) in edits {
                let i = at.index(bytes.len().max(1));
                if i < bytes.len() {
                    bytes[i] = byte;
                }
            }
            let keep = cut.index(bytes.len() + 1);
            bytes.truncate(keep.max(bytes.len() / 2));
            read_and_check(&bytes);
        }
    }
}
