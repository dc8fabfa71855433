//! XLSX, read so that a small file cannot take the server's memory.
//!
//! An XLSX file is a zip archive of XML parts, and deflate inflates up to a
//! thousandfold: a 511 KB file can hold a 500 MB cell. calamine reads the shared
//! strings whole when it opens a workbook, and its parser holds each piece of
//! XML (a tag, or the text between two tags) whole. So before calamine sees a
//! file, each part it would read is inflated through a bounded reader and its
//! XML scanned as it streams, holding nothing: the parts together inflate to at
//! most `MAX_INFLATED_BYTES` (whatever their headers declare), no part more than
//! `MAX_RATIO` times its compressed size, no piece of XML is longer than
//! `MAX_XML_TOKEN`, no cell or shared string holds more raw text than a cell may
//! (`MAX_CELL_XML`), and there are at most `MAX_SHARED_STRINGS` shared strings,
//! however many the file says it has. calamine then opens an archive rebuilt from
//! those parts alone (their compressed bytes, copied): styles, themes, pictures
//! and whatever else a workbook holds are never inflated. Without styles a date
//! reads as its serial number, which no column of the template holds.
//!
//! The sheet is read cell by cell (`worksheet_cells_reader`), not as a range: a
//! range is as large as the rectangle from A1 to the furthest cell, which a file
//! of a few bytes can put at XFD1048576.

use super::file::{FileError, MAX_CELL_CHARS, SheetBuilder, check_cell};
use crate::domain::bounded_message;
use calamine::{DataRef, Reader, Xlsx};
use std::io::{Cursor, Read};

/// At most this many bytes of XML, all the parts read together, once inflated.
/// A sheet of 100,000 users and its shared strings take about 40 MiB.
pub const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;
/// A part past 1 MiB inflated may not have inflated more than this many times
/// its compressed size: spreadsheet XML compresses about tenfold, a bomb a
/// thousandfold.
pub const MAX_RATIO: u64 = 100;
/// At most this many entries in the archive (a workbook has a few dozen).
pub const MAX_ENTRIES: usize = 10_000;
/// At most this many shared strings: seven columns of 100,000 rows, and room to spare.
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// The most bytes a part other than a sheet or the shared strings (the
/// workbook, relationships) inflates to.
const MAX_SMALL_PART: u64 = 1024 * 1024;
/// The longest piece of XML the parser holds at once: a tag, or text between tags.
const MAX_XML_TOKEN: u64 = 1024 * 1024;
/// The most raw text in one cell or shared string: `MAX_CELL_CHARS`
/// characters, each written as the longest character reference (`&#x10FFFF;`).
const MAX_CELL_XML: u64 = 10 * MAX_CELL_CHARS as u64;
/// Past this many bytes inflated, a part's compression ratio is checked.
const RATIO_CHECKED_AFTER: u64 = 1024 * 1024;

pub(super) fn read(bytes: &[u8], sheet: &mut SheetBuilder) -> Result<(), FileError> {
    let archive = checked_archive(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(archive)).map_err(unreadable)?;
    let Some(name) = book.sheet_names().into_iter().next() else { return Err(FileError::Empty) };
    let mut cells = book.worksheet_cells_reader(&name).map_err(unreadable)?;
    // The cells of the row being read, by column; a row is handed on when the
    // next one starts. Blank cells are skipped, so a sheet whose cells lie far
    // apart costs nothing for the space between them.
    let mut row: Option<(u32, Vec<String>)> = None;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let text = cell_text(cell.get_value());
        if text.trim().is_empty() {
            continue;
        }
        let (at_row, at_column) = cell.get_position();
        check_cell(at_row as usize + 1, at_column as usize, &text)?;
        if row.as_ref().is_some_and(|(r, _)| *r != at_row) {
            hand_on(row.take(), sheet)?;
        }
        let (_, cells) = row.get_or_insert_with(|| (at_row, Vec::new()));
        let column = at_column as usize;
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
    }
    hand_on(row, sheet)
}

fn hand_on(row: Option<(u32, Vec<String>)>, sheet: &mut SheetBuilder) -> Result<(), FileError> {
    match row {
        Some((at, cells)) => sheet.row(at as usize + 1, cells.iter().map(String::as_str)),
        None => Ok(()),
    }
}

fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        // Whole numbers typed into a cell come back as floats.
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => calamine::Data::from(other.clone()).to_string(),
    }
}

/// calamine's or the zip reader's reason, which may quote the file, cut short.
fn unreadable(e: impl std::fmt::Display) -> FileError {
    FileError::Xlsx(bounded_message(&e.to_string()))
}

/// What a part of the archive is to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// A worksheet or the shared strings: within the whole budget.
    Large,
    /// The workbook or a relationships part: within `MAX_SMALL_PART`.
    Small,
}

/// Whether calamine reads an entry, by its name, as calamine looks names up
/// (case-insensitive, `\` as `/`); `None` for what it need not read.
fn part(name: &str) -> Option<Part> {
    let name = name.replace('\\', "/").to_ascii_lowercase();
    let file = name.rsplit('/').next().unwrap_or_default();
    if file == "sharedstrings.xml" || (name.contains("worksheets/") && file.ends_with(".xml")) {
        Some(Part::Large)
    } else if file == "workbook.xml" || file.ends_with(".rels") {
        Some(Part::Small)
    } else {
        None
    }
}

/// The parts calamine reads, each checked, as an archive of their compressed bytes.
fn checked_archive(bytes: &[u8]) -> Result<Vec<u8>, FileError> {
    // Each entry of the central directory starts with this signature, so their
    // count bounds how many entries the zip reader will hold in memory.
    if bytes.windows(4).filter(|w| *w == b"PK\x01\x02").count() > MAX_ENTRIES {
        return Err(FileError::Xlsx(format!("the archive holds more than {MAX_ENTRIES} entries")));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut kept = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut budget = MAX_INFLATED_BYTES;
    for index in 0..archive.len() {
        let name = archive.name_for_index(index).and_then(Result::ok);
        let Some(part) = name.and_then(|name| part(&name)) else { continue };
        let (limit, too_much) = match part {
            Part::Small if MAX_SMALL_PART < budget => (MAX_SMALL_PART, small_part_too_large()),
            _ => (budget, inflates_too_much()),
        };
        let entry = archive.by_index(index).map_err(unreadable)?;
        // What the headers declare is refused at once; what they hide is found
        // by inflating, which stops past the limit.
        if entry.size() > limit {
            return Err(too_much);
        }
        let compressed = entry.compressed_size();
        budget -= inflate_and_scan(entry, compressed, limit, too_much)?;
        kept.raw_copy_file(archive.by_index_raw(index).map_err(unreadable)?).map_err(unreadable)?;
    }
    Ok(kept.finish().map_err(unreadable)?.into_inner())
}

fn inflates_too_much() -> FileError {
    FileError::Inflates(format!("inflates to more than {} MiB of XML", MAX_INFLATED_BYTES / 1024 / 1024))
}

fn small_part_too_large() -> FileError {
    FileError::Inflates(format!("has a workbook part that inflates past {} MiB", MAX_SMALL_PART / 1024 / 1024))
}

/// Inflates a part through a reader that stops past `limit`, scanning its XML
/// as it streams; the bytes it inflated to. The ratio to the compressed size
/// declared refuses a bomb early; a declaration that lies about it only lets
/// inflating run on to the limit.
fn inflate_and_scan(entry: impl Read, compressed: u64, limit: u64, too_much: FileError) -> Result<u64, FileError> {
    let mut reader = entry.take(limit + 1);
    let mut scan = XmlScan::default();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut inflated = 0u64;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(inflated),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(e)),
        };
        inflated += n as u64;
        if inflated > limit {
            return Err(too_much);
        }
        if inflated > RATIO_CHECKED_AFTER && inflated > MAX_RATIO.saturating_mul(compressed) {
            return Err(FileError::Inflates(format!(
                "inflates more than {MAX_RATIO}-fold, as no spreadsheet does: a decompression bomb?"
            )));
        }
        scan.feed(&chunk[..n]).map_err(FileError::Xlsx)?;
    }
}

/// Where the scanner is in the XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum At {
    #[default]
    Text,
    /// Just past `<`.
    Open,
    /// In a start or end tag.
    Tag,
    /// In a quoted attribute value; the quote.
    Quoted(u8),
    /// Past `<!`, until it is a comment or CDATA.
    Bang,
    Comment,
    CData,
    /// A processing instruction, `<?…?>`.
    Instruction,
}

/// Follows XML byte by byte as quick-xml (calamine's parser) splits it into the
/// pieces it holds whole, and refuses what would make one of them, a cell or
/// the table of shared strings too large. It never undercounts a piece: where
/// it is unsure where quick-xml would end one, it ends it later.
#[derive(Debug, Default)]
struct XmlScan {
    at: At,
    /// Bytes in the current piece.
    token: u64,
    /// The current tag's name, while it is read (enough of it to compare).
    name: Vec<u8>,
    name_done: bool,
    /// Whether the tag is an end tag, `</…>`.
    closing: bool,
    /// The bytes after `<!`, while they are read.
    bang: Vec<u8>,
    /// The last two bytes, to find `-->`, `]]>` and `?>`.
    tail: [u8; 2],
    /// Raw text since the current cell or shared string started.
    cell_text: u64,
    shared_strings: u64,
    /// An `<sst>` tag's bytes, whose `uniqueCount` calamine reserves room for.
    sst: Option<Vec<u8>>,
}

impl XmlScan {
    fn feed(&mut self, bytes: &[u8]) -> Result<(), String> {
        for &b in bytes {
            self.byte(b)?;
        }
        Ok(())
    }

    fn byte(&mut self, b: u8) -> Result<(), String> {
        if b == 0 {
            return Err("a part is not UTF-8 XML".into());
        }
        self.token += 1;
        let tail = self.tail;
        self.tail = [tail[1], b];
        match self.at {
            At::Text if b == b'<' => self.start_markup(),
            At::Text => self.text(1)?,
            At::Open => match b {
                b'!' => {
                    self.at = At::Bang;
                    self.bang.clear();
                }
                b'?' => self.enter(At::Instruction),
                b'>' => self.end_markup(),
                b'/' => {
                    self.at = At::Tag;
                    self.closing = true;
                }
                _ => {
                    self.at = At::Tag;
                    self.tag_byte(b)?;
                }
            },
            At::Tag => self.tag_byte(b)?,
            At::Quoted(quote) => {
                self.keep_sst(b)?;
                if b == quote {
                    self.at = At::Tag;
                }
            }
            At::Bang => {
                self.bang.push(b);
                if self.bang == b"--" {
                    self.enter(At::Comment);
                } else if self.bang == b"[CDATA[" {
                    self.enter(At::CData);
                } else if !(b"--".starts_with(&self.bang) || b"[CDATA[".starts_with(&self.bang)) {
                    return Err("a part declares a DOCTYPE or other markup that spreadsheets do not write".into());
                }
            }
            At::Comment if b == b'>' && tail == *b"--" => self.end_markup(),
            At::CData if b == b'>' && tail == *b"]]" => self.end_markup(),
            At::CData => self.text(1)?,
            At::Instruction if b == b'>' && tail[1] == b'?' => self.end_markup(),
            At::Comment | At::Instruction => {}
        }
        if self.token > MAX_XML_TOKEN {
            return Err(format!("a piece of XML is longer than {} KiB", MAX_XML_TOKEN / 1024));
        }
        Ok(())
    }

    fn start_markup(&mut self) {
        self.at = At::Open;
        self.token = 1;
        self.name.clear();
        self.name_done = false;
        self.closing = false;
    }

    fn end_markup(&mut self) {
        self.at = At::Text;
        self.token = 0;
    }

    /// A comment, CDATA or instruction ends only at a terminator wholly after
    /// its opening, so `<!-->` is no comment's end.
    fn enter(&mut self, at: At) {
        self.at = at;
        self.tail = [0, 0];
    }

    fn text(&mut self, n: u64) -> Result<(), String> {
        self.cell_text += n;
        if self.cell_text > MAX_CELL_XML {
            return Err(format!("a cell holds more than {MAX_CELL_CHARS} characters"));
        }
        Ok(())
    }

    fn tag_byte(&mut self, b: u8) -> Result<(), String> {
        if !self.name_done {
            if b.is_ascii_whitespace() || b == b'/' || b == b'>' {
                self.name_done = true;
                self.tag_named()?;
            } else if self.name.len() < 16 {
                self.name.push(b);
            } else {
                // Longer than any name compared; kept distinct from all of them.
                self.name.push(b'#');
                self.name.truncate(17);
            }
        }
        self.keep_sst(b)?;
        match b {
            b'"' | b'\'' => self.at = At::Quoted(b),
            b'>' => {
                if let Some(tag) = self.sst.take() {
                    check_unique_count(&tag)?;
                }
                self.end_markup();
            }
            _ => {}
        }
        Ok(())
    }

    /// A tag's name is read: a cell or shared string starts or ends there.
    fn tag_named(&mut self) -> Result<(), String> {
        let closing = self.closing;
        let local = self.name.rsplit(|c| *c == b':').next().unwrap_or_default();
        match local {
            b"c" | b"si" | b"row" => self.cell_text = 0,
            b"sst" if !closing => self.sst = Some(b"<sst".to_vec()),
            _ => {}
        }
        if local == b"si" && !closing {
            self.shared_strings += 1;
            if self.shared_strings > MAX_SHARED_STRINGS {
                return Err(format!("it holds more than {MAX_SHARED_STRINGS} shared strings"));
            }
        }
        Ok(())
    }

    fn keep_sst(&mut self, b: u8) -> Result<(), String> {
        if let Some(tag) = &mut self.sst {
            tag.push(b);
            if tag.len() > 4096 {
                return Err("the shared strings' <sst> tag is longer than 4 KiB".into());
            }
        }
        Ok(())
    }
}

/// calamine reserves room for `uniqueCount` strings before it reads one, so a
/// count the file cannot hold is refused whatever its spelling.
fn check_unique_count(tag: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(tag);
    for (at, _) in text.match_indices("uniqueCount") {
        let value = text[at + "uniqueCount".len()..].trim_start().trim_start_matches('=').trim_start();
        let quote = value.chars().next().unwrap_or('"');
        let value = value.get(quote.len_utf8()..).unwrap_or_default();
        let value = value.split(quote).next().unwrap_or_default();
        let too_many = value
            .split(|c: char| !c.is_ascii_digit())
            .filter(|digits| !digits.is_empty())
            .any(|digits| digits.parse::<u64>().map_or(true, |n| n > MAX_SHARED_STRINGS));
        if too_many {
            return Err(format!("it declares more than {MAX_SHARED_STRINGS} shared strings"));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "../../../roster-testkit/src/xlsx.rs"]
mod hand_made;

#[cfg(test)]
mod tests {
    use super::hand_made::{self as xlsx, Part, SHEET_HEAD, SHEET_TAIL, cell, header, row};
    use crate::imports::{Column, FileError, read};

    fn refused(bytes: &[u8]) -> FileError {
        match read(bytes) {
            Ok(sheet) => panic!("read {} rows", sheet.rows.len()),
            Err(e) => e,
        }
    }

    #[test]
    fn a_hand_made_workbook_reads() {
        let sheet = read(&xlsx::sheet(&format!("{}{}", header(), row(2, &["Zoë &amp; Co", "zoe"]))));
        let sheet = sheet.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sheet.rows[0].get(Column::DisplayName), "Zoë & Co");
        assert_eq!(sheet.rows[0].row, 2);
    }

    #[test]
    fn bombs_are_refused_by_size_or_ratio() {
        for bomb in [xlsx::cell_bomb(100 << 20), xlsx::shared_strings_bomb(100 << 20)] {
            assert!(bomb.len() < 1 << 20, "the bomb is {} bytes", bomb.len());
            assert!(matches!(refused(&bomb), FileError::Inflates(_)));
        }
        // Declared sizes that lie change nothing: the bytes inflated are counted.
        let lying = xlsx::declaring_size(xlsx::cell_bomb(100 << 20), 1000);
        assert!(matches!(refused(&lying), FileError::Inflates(_) | FileError::Xlsx(_)));
        // A size declared past the budget is refused before inflating anything.
        let declared = xlsx::declaring_size(xlsx::sheet(&header()), u32::MAX);
        assert!(matches!(refused(&declared), FileError::Inflates(_)));
    }

    #[test]
    fn a_cell_past_the_limit_is_refused_whether_inline_or_shared() {
        let long = "x".repeat(crate::imports::MAX_CELL_CHARS + 1);
        let inline = xlsx::sheet(&format!("{}{}", header(), row(2, &[&long, "a"])));
        assert!(matches!(refused(&inline), FileError::CellTooLong { row: 2, column: 1 }));
        // Raw text past ten bytes a character is refused while scanning.
        let escaped = xlsx::sheet(&format!("{}{}", header(), row(2, &[&"&#x10FFFF;".repeat(40_000), "a"])));
        assert!(matches!(refused(&escaped), FileError::Xlsx(m) if m.contains("32767")));
        let shared = xlsx::workbook(
            Part::text(format!(r#"{SHEET_HEAD}{}<row r="2"><c r="A2" t="s"><v>0</v></c></row>{SHEET_TAIL}"#, header())),
            Some(Part::text(format!(r#"<sst uniqueCount="1"><si><t>{long}</t></si></sst>"#))),
        );
        assert!(matches!(refused(&shared), FileError::CellTooLong { row: 2, column: 1 }));
    }

    #[test]
    fn a_declared_count_of_shared_strings_is_not_trusted() {
        assert!(matches!(refused(&xlsx::unique_count_bomb()), FileError::Xlsx(m) if m.contains("shared strings")));
        for tag in [r#"<sst uniqueCount = '99999999999999999999999'>"#, r#"<x:sst uniqueCount="+2000000">"#] {
            let strings = Part::text(format!("{tag}<si><t>x</t></si></sst>"));
            let file = xlsx::workbook(Part::text(format!("{SHEET_HEAD}{}{SHEET_TAIL}", header())), Some(strings));
            assert!(matches!(refused(&file), FileError::Xlsx(_)), "{tag}");
        }
    }

    #[test]
    fn far_cells_cost_nothing_and_text_past_the_columns_is_refused() {
        let far = xlsx::far_cells_bomb(10_000);
        assert!(matches!(refused(&far), FileError::TooManyColumns { row: 1048576, column: 16384 }));
        let far_row = xlsx::sheet(&format!("{}{}", header(), row(1_048_576, &["Far", "far"])));
        let sheet = read(&far_row).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sheet.rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![1_048_576]);
        let empty_far_right =
            format!("{}<row r=\"2\">{}{}{}</row>", header(), cell("A2", "A"), cell("B2", "a"), cell("ZZ2", " "));
        assert!(read(&xlsx::sheet(&empty_far_right)).is_ok());
    }

    /// Letters that deflate compresses little, so a test meets a limit other than the ratio.
    fn noise(n: usize) -> String {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'a' + (x % 26) as u8)
            })
            .collect()
    }

    #[test]
    fn xml_that_spreadsheets_do_not_write_is_refused() {
        let piece = format!("{}<row r=\"2\"><c r=\"A2\" t=\"inlineStr\" x=\"{}\"/></row>", header(), noise(2 << 20));
        let comment = format!("{}<!-- {} -->", header(), noise(2 << 20).replace('q', "<a>"));
        for (rows, needle) in [
            (format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{}", header()), "DOCTYPE"),
            (piece, "piece of XML"),
            (comment, "piece of XML"),
            (format!("{}\0", header()), "UTF-8"),
        ] {
            assert!(matches!(refused(&xlsx::sheet(&rows)), FileError::Xlsx(ref m) if m.contains(needle)), "{needle}");
        }
    }

    #[test]
    fn an_archive_of_many_entries_is_refused_before_it_is_listed() {
        let names: Vec<String> = (0..=super::MAX_ENTRIES).map(|i| format!("docProps/{i}.xml")).collect();
        let file = xlsx::archive(names.iter().map(|n| (n.as_str(), Part::text(""))).collect());
        assert!(matches!(refused(&file), FileError::Xlsx(m) if m.contains("entries")));
    }

    #[test]
    fn errors_quote_at_most_an_excerpt() {
        let header = format!("<row r=\"1\">{}{}</row>", cell("A1", &"Shoe size ".repeat(3000)), cell("B1", "Username"));
        let error = refused(&xlsx::sheet(&header));
        assert!(matches!(error, FileError::UnknownColumn { .. }));
        assert!(error.to_string().len() < 400, "{error}");
    }
}
