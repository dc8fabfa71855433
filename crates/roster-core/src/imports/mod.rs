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
