//! Reading user import files: whatever Excel or LibreOffice saves.
//!
//! CSV comes in UTF-8 (with or without BOM), UTF-16LE/BE with BOM (Excel's "Unicode
//! text") or Windows-1252, delimited by `,`, `;` or tab (sniffed from the header
//! line), with quoted fields that may hold delimiters, quotes and newlines. XLSX
//! is read from its first sheet. Headers are matched in any of the five UI
//! languages, ignoring case, accents and punctuation.
//!
//! Row numbers are the ones a spreadsheet shows: the header is row 1, and a quoted
//! newline does not start a new row.

use crate::domain::Language;
use std::fmt;

/// At most this many data rows in one file.
pub const MAX_ROWS: usize = 100_000;
/// At most this many bytes in one file.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

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
    #[error("the file is empty; it needs a header row and at least one user")]
    Empty,
    #[error("the file has a header row but no users")]
    NoRows,
    #[error("the XLSX file cannot be read: {0}")]
    Xlsx(String),
    #[error("row {row}: {message}")]
    Csv { row: usize, message: String },
    #[error("column {position} has the header {header:?}, which is not a template column; expected: {expected}")]
    UnknownColumn { position: usize, header: String, expected: String },
    #[error("the column {0} appears twice")]
    DuplicateColumn(Column),
    #[error("the required column {0} is missing")]
    MissingColumn(Column),
}

impl FileError {
    /// The stable code, as API.md's error codes.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::TooLarge | FileError::TooManyRows(_) => "payload_too_large",
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
    let grid = if bytes.starts_with(b"PK\x03\x04") { xlsx_grid(bytes)? } else { csv_grid(&decode(bytes))? };
    sheet_from_grid(grid)
}

/// The file's text: a BOM decides, then valid UTF-8, then Windows-1252, which is
/// what Excel's "CSV" saves on Western Windows.
fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// Rows of cells with their spreadsheet row numbers.
/// Each row's cells share one buffer (`StringRecord`), which keeps a large file small.
type Grid = Vec<(usize, csv::StringRecord)>;

/// The delimiter the header line uses most among `,`, `;` and tab, outside quotes.
fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(entry) = counts.iter_mut().find(|(d, _)| *d == b) {
                    entry.1 += 1;
                }
            }
            _ => {}
        }
    }
    // The first of equal counts wins, so a one-column file reads as CSV.
    counts.iter().fold((b',', 0), |best, &(d, n)| if n > best.1 { (d, n) } else { best }).0
}

fn csv_grid(text: &str) -> Result<Grid, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(text))
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    // A spreadsheet row is a line, less the newlines quoted inside earlier rows. The
    // csv reader skips blank lines, which a spreadsheet still numbers, and its own
    // line numbers lag behind CRLF files, so lines are counted here from byte offsets.
    let bytes = text.as_bytes();
    let (mut counted_to, mut newlines, mut quoted_newlines) = (0usize, 0usize, 0usize);
    let mut row_at = |start: usize, quoted_newlines: usize| {
        // A record's offset may point at the LF of the previous CRLF.
        let start = if bytes.get(start) == Some(&b'\n') { start + 1 } else { start }.min(bytes.len());
        newlines += bytes[counted_to.min(start)..start].iter().filter(|b| **b == b'\n').count();
        counted_to = counted_to.max(start);
        newlines.saturating_sub(quoted_newlines) + 1
    };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let start = e.position().map_or(0, |p| p.byte() as usize);
                return Err(FileError::Csv { row: row_at(start, quoted_newlines), message: csv_problem(&e) });
            }
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        grid.push((row_at(start, quoted_newlines), record.clone()));
        quoted_newlines += record.iter().map(|f| f.matches('\n').count()).sum::<usize>();
        // The header and one row past the limit are enough to refuse the file.
        if grid.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(grid)
}

/// The csv crate's error without its byte offsets, which mean nothing to a spreadsheet user.
fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the text is not valid in the file's encoding".into(),
        other => format!("{other:?}").chars().take(200).collect(),
    }
}

fn xlsx_grid(bytes: &[u8]) -> Result<Grid, FileError> {
    use calamine::Reader;
    let opened: Result<calamine::Xlsx<_>, calamine::XlsxError> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes));
    let mut book = opened.map_err(|e| FileError::Xlsx(e.to_string()))?;
    let range = match book.worksheet_range_at(0) {
        Some(range) => range.map_err(|e| FileError::Xlsx(e.to_string()))?,
        None => return Err(FileError::Empty),
    };
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let first_column = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut grid = Vec::new();
    for (index, cells) in range.rows().enumerate() {
        // Cells left of the used range are empty; keep positions as the sheet shows them.
        let mut row: Vec<String> = vec![String::new(); first_column];
        row.extend(cells.iter().map(cell_text));
        grid.push((first_row + index + 1, csv::StringRecord::from(row)));
        if grid.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(grid)
}

fn cell_text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::Empty => String::new(),
        // Whole numbers typed into a cell come back as floats.
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

fn sheet_from_grid(grid: Grid) -> Result<Sheet, FileError> {
    // Sized once: growing by doubling holds both buffers while it copies.
    let capacity = grid.len().min(MAX_ROWS + 1);
    let mut rows = grid.into_iter().skip_while(|(_, cells)| cells.iter().all(|c| c.trim().is_empty()));
    let Some((_, header)) = rows.next() else { return Err(FileError::Empty) };
    let header: Vec<&str> = header.iter().collect();
    // Trailing empty header cells (Excel pads rows) are not columns.
    let width = header.iter().rposition(|h| !h.trim().is_empty()).map_or(0, |i| i + 1);
    let mut mapping: Vec<Option<Column>> = Vec::with_capacity(width);
    for (i, h) in header[..width].iter().copied().enumerate() {
        match recognise(h) {
            Some(Some(column)) if mapping.contains(&Some(column)) => return Err(FileError::DuplicateColumn(column)),
            Some(column) => mapping.push(column),
            None => {
                return Err(FileError::UnknownColumn {
                    position: i + 1,
                    header: h.trim().to_owned(),
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
    let mut sheet = Sheet { columns: mapping.iter().flatten().copied().collect(), rows: Vec::with_capacity(capacity) };
    for (row, cells) in rows {
        let mut record = SheetRow::new(row);
        record.text.reserve_exact(cells.as_slice().len());
        for (cell, column) in cells.iter().zip(&mapping) {
            if let Some(column) = column {
                record.set(*column, undefuse(cell.trim()));
            }
        }
        if record.is_blank() {
            continue;
        }
        if sheet.rows.len() == MAX_ROWS {
            return Err(FileError::TooManyRows(MAX_ROWS + 1));
        }
        sheet.rows.push(record);
    }
    if sheet.rows.is_empty() {
        return Err(FileError::NoRows);
    }
    Ok(sheet)
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
