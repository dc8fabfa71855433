//! Reading user import files: whatever Excel or LibreOffice saves.
//!
//! CSV comes in UTF-8 (with or without BOM), UTF-16LE/BE (Excel's "Unicode
//! text", with or without BOM), UTF-32 or Windows-1252, delimited by `,`, `;` or
//! tab (sniffed from the header line), with quoted fields that may hold
//! delimiters, quotes and newlines (`csv_file`). XLSX is read from its first
//! sheet (`xlsx_file`). Headers are matched in any of the five UI languages,
//! ignoring case, accents and punctuation.
//!
//! Row numbers are the ones a spreadsheet shows: the header is row 1, and a quoted
//! newline does not start a new row.
//!
//! A file is bounded while it is read, never after: its bytes, the XML an XLSX
//! inflates to, rows, columns, each cell and all of its text (the limits below
//! and in `xlsx_file`). An error quotes at most an excerpt of what the file holds.

use super::{csv_file, xlsx_file};
use crate::domain::{EXCERPT_CHARS, Language, cut, excerpt};
use std::fmt;

/// At most this many data rows in one file.
pub const MAX_ROWS: usize = 100_000;
/// At most this many bytes in one file.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Text in a cell further right than this many columns is refused (the template
/// has seven; empty cells anywhere are fine).
pub const MAX_COLUMNS: usize = 64;
/// At most this many characters in one cell: Excel's own limit, so nothing
/// Excel saves is refused by it. A display name is at most 256.
pub const MAX_CELL_CHARS: usize = 32_767;
/// At most this many bytes of text in all the cells kept from one file. An
/// XLSX cell may point at a shared string that other cells share, so a small
/// file could otherwise hold one long string 700,000 times.
pub const MAX_TEXT_BYTES: usize = 32 * 1024 * 1024;

/// A column of the import template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    FirstName,
    LastName,
    DisplayName,
    Username,
    UsageLocation,
    Roles,
    Licenses,
}

impl Column {
    /// In template order.
    pub const ALL: [Column; 7] = [
        Column::FirstName,
        Column::LastName,
        Column::DisplayName,
        Column::Username,
        Column::UsageLocation,
        Column::Roles,
        Column::Licenses,
    ];

    /// The English template header, which is also how reports name the column.
    pub fn name(self) -> &'static str {
        self.header(Language::En)
    }

    /// The template header in `language`.
    pub fn header(self, language: Language) -> &'static str {
        let names = HEADERS.iter().find(|(c, l, _)| *c == Some(self) && *l == language).map(|(_, _, names)| names);
        names.and_then(|n| n.first()).copied().unwrap_or("")
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Header names per column and language; the first of each is the template's.
/// `None` is Partner Center's trailing "Status update" column, which is ignored.
/// Partner Center's own template names the username column "Email".
const HEADERS: &[(Option<Column>, Language, &[&str])] = &[
    (Some(Column::FirstName), Language::En, &["First name", "Given name", "Firstname"]),
    (Some(Column::FirstName), Language::Fr, &["Prénom"]),
    (Some(Column::FirstName), Language::Ru, &["Имя"]),
    (Some(Column::FirstName), Language::ZhCn, &["名字", "名"]),
    (Some(Column::FirstName), Language::It, &["Nome"]),
    (Some(Column::LastName), Language::En, &["Last name", "Surname", "Family name", "Lastname"]),
    (Some(Column::LastName), Language::Fr, &["Nom", "Nom de famille"]),
    (Some(Column::LastName), Language::Ru, &["Фамилия"]),
    (Some(Column::LastName), Language::ZhCn, &["姓氏", "姓"]),
    (Some(Column::LastName), Language::It, &["Cognome"]),
    (Some(Column::DisplayName), Language::En, &["Display name"]),
    (Some(Column::DisplayName), Language::Fr, &["Nom d'affichage", "Nom complet"]),
    (Some(Column::DisplayName), Language::Ru, &["Отображаемое имя"]),
    (Some(Column::DisplayName), Language::ZhCn, &["显示名称", "显示名"]),
    (Some(Column::DisplayName), Language::It, &["Nome visualizzato"]),
    (
        Some(Column::Username),
        Language::En,
        &["Username", "User name", "Email", "E-mail", "Email address", "User principal name", "UPN"],
    ),
    (Some(Column::Username), Language::Fr, &["Nom d'utilisateur", "Adresse e-mail", "E-mail", "Courriel"]),
    (Some(Column::Username), Language::Ru, &["Имя пользователя", "Электронная почта", "Адрес электронной почты"]),
    (Some(Column::Username), Language::ZhCn, &["用户名", "电子邮件", "电子邮件地址"]),
    (Some(Column::Username), Language::It, &["Nome utente", "Posta elettronica", "Indirizzo e-mail"]),
    (Some(Column::UsageLocation), Language::En, &["Usage location", "Location"]),
    (Some(Column::UsageLocation), Language::Fr, &["Emplacement d'utilisation", "Emplacement"]),
    (Some(Column::UsageLocation), Language::Ru, &["Расположение", "Место использования"]),
    (Some(Column::UsageLocation), Language::ZhCn, &["使用位置", "位置"]),
    (Some(Column::UsageLocation), Language::It, &["Località di utilizzo", "Percorso di utilizzo", "Località"]),
    (Some(Column::Roles), Language::En, &["Roles", "Role"]),
    (Some(Column::Roles), Language::Fr, &["Rôles"]),
    (Some(Column::Roles), Language::Ru, &["Роли"]),
    (Some(Column::Roles), Language::ZhCn, &["角色"]),
    (Some(Column::Roles), Language::It, &["Ruoli"]),
    (Some(Column::Licenses), Language::En, &["Licenses", "Licences", "License"]),
    (Some(Column::Licenses), Language::Fr, &["Licences"]),
    (Some(Column::Licenses), Language::Ru, &["Лицензии"]),
    (Some(Column::Licenses), Language::ZhCn, &["许可证"]),
    (Some(Column::Licenses), Language::It, &["Licenze"]),
    (None, Language::En, &["Status update"]),
    (None, Language::Fr, &["Mise à jour de l'état", "Mise à jour du statut"]),
    (None, Language::Ru, &["Обновление состояния", "Обновление статуса"]),
    (None, Language::ZhCn, &["状态更新"]),
    (None, Language::It, &["Aggiornamento stato", "Aggiornamento dello stato"]),
];

/// Lower case, accents and punctuation dropped: "Nom d'Utilisateur" and
/// "nom dutilisateur" match, as do "Località" and "LOCALITA".
fn header_key(header: &str) -> String {
    let mut key = String::with_capacity(header.len());
    for c in header.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            'ß' => "ss",
            'ё' => "е",
            c if c.is_alphanumeric() => {
                key.push(c);
                continue;
            }
            _ => continue,
        };
        key.push_str(folded);
    }
    key
}

/// What a header names: a template column, the ignored status column, or nothing known.
fn recognise(header: &str) -> Option<Option<Column>> {
    let key = header_key(header);
    HEADERS.iter().find(|(_, _, names)| names.iter().any(|n| header_key(n) == key)).map(|(c, _, _)| *c)
}

/// A file that cannot be read as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is larger than {} MiB", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the file has {0} data rows; at most {MAX_ROWS} are allowed per file")]
    TooManyRows(usize),
    /// An XLSX file that inflates past a limit: the reason, which quotes nothing from the file.
    #[error("the XLSX file {0}")]
    Inflates(String),
    #[error("the cells of the file hold more than {} MiB of text", MAX_TEXT_BYTES / 1024 / 1024)]
    TooMuchText,
    #[error("the file is empty; it needs a header row and at least one user")]
    Empty,
    #[error("the file has a header row but no users")]
    NoRows,
    #[error(
        "the file holds NUL characters, so it is not text in an encoding Roster reads; save it as CSV UTF-8 or XLSX"
    )]
    NotText,
    #[error("the XLSX file cannot be read: {0}")]
    Xlsx(String),
    #[error("row {row}: {message}")]
    Csv { row: usize, message: String },
    #[error("row {row}, column {column}: a cell holds more than {MAX_CELL_CHARS} characters")]
    CellTooLong { row: usize, column: usize },
    #[error("row {row} has text in column {column}; a file may use at most {MAX_COLUMNS} columns")]
    TooManyColumns { row: usize, column: usize },
    /// `header` is what the file holds, cut short; the message escapes it too.
    #[error(
        "column {position} has the header {}, which is not a template column; expected: {expected}",
        excerpt(.header)
    )]
    UnknownColumn { position: usize, header: String, expected: String },
    #[error("the column {0} appears twice")]
    DuplicateColumn(Column),
    #[error("the required column {0} is missing")]
    MissingColumn(Column),
}

impl FileError {
    /// The stable code, as API.md's error codes: a file over a size limit is
    /// `payload_too_large`, anything else wrong with it `validation_failed`.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::TooLarge | FileError::TooManyRows(_) | FileError::Inflates(_) | FileError::TooMuchText => {
                "payload_too_large"
            }
            _ => "validation_failed",
        }
    }
}

/// One data row, its values by template column (empty when the file has no such column).
/// The values share one buffer: a 100,000-row file is held as 100,000 strings
/// rather than 700,000.
#[derive(Debug, Clone, Default)]
pub struct SheetRow {
    /// As a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    text: String,
    /// Where each column's value lies in `text`.
    spans: [(u32, u32); 7],
}

impl PartialEq for SheetRow {
    fn eq(&self, other: &Self) -> bool {
        self.row == other.row && Column::ALL.iter().all(|c| self.get(*c) == other.get(*c))
    }
}

impl Eq for SheetRow {}

impl SheetRow {
    pub fn new(row: usize) -> Self {
        Self { row, ..Default::default() }
    }

    pub fn get(&self, column: Column) -> &str {
        let (start, end) = self.spans[column as usize];
        self.text.get(start as usize..end as usize).unwrap_or_default()
    }

    /// Sets a column's value; a file is at most `MAX_BYTES`, so offsets fit in u32.
    pub fn set(&mut self, column: Column, value: impl AsRef<str>) {
        let start = self.text.len();
        self.text.push_str(value.as_ref());
        self.spans[column as usize] = (start as u32, self.text.len() as u32);
    }

    fn is_blank(&self) -> bool {
        Column::ALL.iter().all(|c| self.get(*c).trim().is_empty())
    }
}

/// A file read and mapped onto the template's columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    /// The template columns present, in the file's order.
    pub columns: Vec<Column>,
    pub rows: Vec<SheetRow>,
}

/// Reads CSV (any encoding and delimiter above) or XLSX, told apart by content.
pub fn read(bytes: &[u8]) -> Result<Sheet, FileError> {
    if bytes.len() > MAX_BYTES {
        return Err(FileError::TooLarge);
    }
    let mut sheet = SheetBuilder::default();
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx_file::read(bytes, &mut sheet)?;
    } else {
        csv_file::read(bytes, &mut sheet)?;
    }
    sheet.finish()
}

/// Maps rows onto the template's columns as a reader hands them over, one at a
/// time, so no reader holds a whole file's cells: the first row that is not
/// blank is the header, and every cell is held to the limits.
#[derive(Debug, Default)]
pub(super) struct SheetBuilder {
    /// The template column of each of the header's cells, once the header is read.
    mapping: Option<Vec<Option<Column>>>,
    sheet: Sheet,
    text_bytes: usize,
}

impl SheetBuilder {
    /// One row, numbered as a spreadsheet shows it; its cells from the first column.
    pub(super) fn row<'a, I>(&mut self, row: usize, cells: I) -> Result<(), FileError>
    where
        I: IntoIterator<Item = &'a str>,
        I::IntoIter: Clone,
    {
        let cells = cells.into_iter();
        for (i, cell) in cells.clone().enumerate() {
            check_cell(row, i, cell)?;
        }
        let Some(mapping) = &self.mapping else {
            if !cells.clone().all(|c| c.trim().is_empty()) {
                self.mapping = Some(header_mapping(cells)?);
            }
            return Ok(());
        };
        let mut record = SheetRow::new(row);
        let mapped = || cells.clone().zip(mapping).filter_map(|(cell, column)| column.map(|c| (c, cell)));
        record.text.reserve_exact(mapped().map(|(_, cell)| undefuse(cell.trim()).len()).sum());
        for (column, cell) in mapped() {
            record.set(column, undefuse(cell.trim()));
        }
        if record.is_blank() {
            return Ok(());
        }
        if self.sheet.rows.len() == MAX_ROWS {
            return Err(FileError::TooManyRows(MAX_ROWS + 1));
        }
        self.text_bytes += record.text.len();
        if self.text_bytes > MAX_TEXT_BYTES {
            return Err(FileError::TooMuchText);
        }
        self.sheet.rows.push(record);
        Ok(())
    }

    pub(super) fn finish(self) -> Result<Sheet, FileError> {
        let Some(mapping) = self.mapping else { return Err(FileError::Empty) };
        if self.sheet.rows.is_empty() {
            return Err(FileError::NoRows);
        }
        let mut sheet = self.sheet;
        sheet.columns = mapping.into_iter().flatten().collect();
        Ok(sheet)
    }
}

/// A cell of row `row` at index `index` (from 0) within the limits.
pub(super) fn check_cell(row: usize, index: usize, cell: &str) -> Result<(), FileError> {
    if cell.len() > MAX_CELL_CHARS && cell.chars().count() > MAX_CELL_CHARS {
        return Err(FileError::CellTooLong { row, column: index + 1 });
    }
    if index >= MAX_COLUMNS && !cell.trim().is_empty() {
        return Err(FileError::TooManyColumns { row, column: index + 1 });
    }
    Ok(())
}

/// The template column each header cell names; trailing empty header cells
/// (Excel pads rows) are not columns.
fn header_mapping<'a>(header: impl Iterator<Item = &'a str> + Clone) -> Result<Vec<Option<Column>>, FileError> {
    let width = header.clone().enumerate().filter(|(_, h)| !h.trim().is_empty()).last().map_or(0, |(i, _)| i + 1);
    let mut mapping: Vec<Option<Column>> = Vec::with_capacity(width);
    for (i, h) in header.take(width).enumerate() {
        match recognise(h) {
            Some(Some(column)) if mapping.contains(&Some(column)) => return Err(FileError::DuplicateColumn(column)),
            Some(column) => mapping.push(column),
            None => {
                return Err(FileError::UnknownColumn {
                    position: i + 1,
                    header: cut(h.trim(), EXCERPT_CHARS).into_owned(),
                    expected: Column::ALL.map(Column::name).join(", "),
                });
            }
        }
    }
    for required in [Column::DisplayName, Column::Username] {
        if !mapping.contains(&Some(required)) {
            return Err(FileError::MissingColumn(required));
        }
    }
    Ok(mapping)
}

/// Takes off the apostrophe an export put before a cell that looked like a formula.
pub fn undefuse(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// Splits a Roles or Licenses cell on `;`, `|`, `,` or a line break (Alt+Enter in
/// Excel), dropping blanks.
pub fn split_list(cell: &str) -> Vec<String> {
    cell.split([';', '|', ',', '\n', '\r']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sheet: &Sheet, column: Column) -> Vec<&str> {
        sheet.rows.iter().map(|r| r.get(column)).collect()
    }

    fn read_ok(bytes: &[u8]) -> Sheet {
        read(bytes).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_encoding_excel_saves_reads_the_same() {
        let text = "First name,Display name,Username\nZoë,Zoë Müller,zoe\n";
        let mut utf16le = vec![0xFF, 0xFE];
        utf16le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut utf16be = vec![0xFE, 0xFF];
        utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let (cp1252, _, lossy) = encoding_rs::WINDOWS_1252.encode(text);
        assert!(!lossy);
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        for bytes in [text.as_bytes().to_vec(), with_bom, utf16le, utf16be, cp1252.into_owned()] {
            let sheet = read_ok(&bytes);
            assert_eq!(names(&sheet, Column::DisplayName), vec!["Zoë Müller"]);
            assert_eq!(names(&sheet, Column::FirstName), vec!["Zoë"]);
        }
    }

    #[test]
    fn delimiters_are_sniffed_and_quotes_hold_anything() {
        for delimiter in [",", ";", "\t"] {
            let text = format!(
                "Display name{d}Username{d}Roles\r\n\"Dubois, \"\"Jo\"\"\nline two\"{d}jo{d}global-admin;user-admin\r\nAl{d}al{d}\r\n",
                d = delimiter
            );
            let sheet = read_ok(text.as_bytes());
            assert_eq!(names(&sheet, Column::DisplayName), vec!["Dubois, \"Jo\"\nline two", "Al"], "{delimiter:?}");
            // The quoted newline does not start a row: the second user is on row 3.
            assert_eq!(sheet.rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![2, 3]);
        }
    }

    #[test]
    fn headers_match_in_every_language_case_and_accent() {
        for language in Language::ALL {
            let header: Vec<&str> = Column::ALL.iter().map(|c| c.header(language)).collect();
            let sheet = read_ok(format!("{}\na;b;c;d;FR;;\n", header.join(";")).as_bytes());
            assert_eq!(sheet.columns, Column::ALL.to_vec(), "{language:?}");
            assert_eq!(sheet.rows[0].get(Column::Username), "d");
        }
        let sheet = read_ok("NOM D'AFFICHAGE;nom dutilisateur;LOCALITA DI UTILIZZO\nA;a;FR\n".as_bytes());
        assert_eq!(sheet.columns, vec![Column::DisplayName, Column::Username, Column::UsageLocation]);
    }

    #[test]
    fn partner_centers_template_reads_with_its_status_column_ignored() {
        let sheet = read_ok(
            b"First name,Last name,Display name,Email,Status update\nAna,Silva,Ana Silva,ana@contoso.example,\n",
        );
        assert_eq!(sheet.columns, vec![Column::FirstName, Column::LastName, Column::DisplayName, Column::Username]);
        assert_eq!(names(&sheet, Column::Username), vec!["ana@contoso.example"]);
    }

    #[test]
    fn whole_file_problems_are_named() {
        assert_eq!(read(b""), Err(FileError::Empty));
        assert_eq!(read(b"Display name,Username\n,,\n"), Err(FileError::NoRows));
        assert_eq!(read(b"Display name\nA\n"), Err(FileError::MissingColumn(Column::Username)));
        assert_eq!(read(b"Username,Email,Display name\na,b,c\n"), Err(FileError::DuplicateColumn(Column::Username)));
        let unknown = read(b"Display name,Username,Shoe size\nA,a,42\n");
        assert!(
            matches!(unknown, Err(FileError::UnknownColumn { position: 3, ref header, .. }) if header == "Shoe size")
        );
        // A header quoted back is cut short, and so is its escaped form.
        let escaped = read(format!("{},Username\nA,a\n", "\u{a129b}".repeat(200)).as_bytes());
        assert!(escaped.is_err_and(|e| e.to_string().len() < 600));
        let mut big = String::from("Display name,Username\n");
        for i in 0..=MAX_ROWS {
            big.push_str(&format!("U{i},u{i}\n"));
        }
        assert_eq!(read(big.as_bytes()), Err(FileError::TooManyRows(MAX_ROWS + 1)));
        assert_eq!(read(&vec![b'a'; MAX_BYTES + 1]), Err(FileError::TooLarge));
    }

    #[test]
    fn blank_rows_are_skipped_and_rows_keep_their_numbers() {
        let sheet = read_ok(b"\n,,\nDisplay name,Username\nA,a\n,\nB,b\n");
        assert_eq!(sheet.rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![4, 6]);
    }

    #[test]
    fn lists_split_on_any_separator() {
        assert_eq!(split_list(" MAIL_P1 | ARCHIVE;GEO ,"), vec!["MAIL_P1", "ARCHIVE", "GEO"]);
        assert!(split_list(" ").is_empty());
    }
}
