//! CSV as Excel and LibreOffice save it, in whatever encoding and delimiter.
//!
//! The text is decoded first: a BOM decides (UTF-8, UTF-16, UTF-32), then the
//! pattern of NUL bytes (UTF-16 or UTF-32 without a BOM, as some tools save),
//! then valid UTF-8, then Windows-1252. A NUL left after decoding means the
//! file is not text: it is refused, so a NUL never reaches a cell.
//!
//! Before the csv reader holds a record, the whole text is scanned as the csv
//! reader will split it, so no field longer than a cell may hold (a 19 MiB
//! cell), nor a record of more fields than a sheet has columns (a 5 MiB header
//! line), is ever gathered.

use super::file::{FileError, MAX_CELL_CHARS, MAX_COLUMNS, SheetBuilder};
use std::borrow::Cow;

pub(super) fn read(bytes: &[u8], sheet: &mut SheetBuilder) -> Result<(), FileError> {
    let text = decode(bytes)?;
    let delimiter = sniff_delimiter(&text);
    check_shape(&text, delimiter)?;
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
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
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let start = e.position().map_or(0, |p| p.byte() as usize);
                return Err(FileError::Csv { row: row_at(start, quoted_newlines), message: csv_problem(&e) });
            }
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        sheet.row(row_at(start, quoted_newlines), record.iter())?;
        quoted_newlines += record.iter().map(|f| f.matches('\n').count()).sum::<usize>();
    }
}

/// The csv crate's error without its byte offsets, which mean nothing to a spreadsheet user.
fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the text is not valid in the file's encoding".into(),
        other => crate::domain::bounded_message(&format!("{other:?}")),
    }
}

/// The file's text. Refuses a file that holds a NUL once decoded.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, FileError> {
    let text: Cow<'_, str> = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE\x00\x00") {
        utf32(rest, u32::from_le_bytes)?.into()
    } else if let Some(rest) = bytes.strip_prefix(b"\x00\x00\xFE\xFF") {
        utf32(rest, u32::from_be_bytes)?.into()
    } else if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        encoding.decode_without_bom_handling(&bytes[bom..]).0
    } else {
        match sniff_wide(bytes)? {
            Some(Wide::Utf32Le) => utf32(bytes, u32::from_le_bytes)?.into(),
            Some(Wide::Utf32Be) => utf32(bytes, u32::from_be_bytes)?.into(),
            Some(Wide::Utf16Le) => encoding_rs::UTF_16LE.decode_without_bom_handling(bytes).0,
            Some(Wide::Utf16Be) => encoding_rs::UTF_16BE.decode_without_bom_handling(bytes).0,
            // Windows-1252 is what Excel's "CSV" saves on Western Windows.
            None => match std::str::from_utf8(bytes) {
                Ok(text) => text.into(),
                Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
            },
        }
    };
    if text.contains('\0') {
        return Err(FileError::NotText);
    }
    Ok(text)
}

/// Text in two or four bytes a character, told by where its NUL bytes fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wide {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

/// How text without a BOM is encoded, if wide: in UTF-32 every character has a
/// NUL high byte (and a second one below U+10000); in UTF-16 a header's
/// delimiters and line breaks have one. A file whose NULs follow neither
/// pattern is not text.
fn sniff_wide(bytes: &[u8]) -> Result<Option<Wide>, FileError> {
    let sample = &bytes[..bytes.len().min(4096)];
    if !sample.contains(&0) {
        return Ok(None);
    }
    let quads = &sample[..sample.len() / 4 * 4];
    let all = |test: fn(&[u8]) -> bool| !quads.is_empty() && quads.chunks_exact(4).all(test);
    if all(|q| q[3] == 0 && q[2] <= 0x10 && q[0..3] != [0, 0, 0]) {
        return Ok(Some(Wide::Utf32Le));
    }
    if all(|q| q[0] == 0 && q[1] <= 0x10 && q[1..4] != [0, 0, 0]) {
        return Ok(Some(Wide::Utf32Be));
    }
    // UTF-16: a line break or a delimiter written as a code unit, which a
    // header line has; a NUL the decoded text still holds refuses the file.
    let separator_at = |high: usize| {
        sample.chunks_exact(2).any(|p| p[high] == 0 && matches!(p[1 - high], b',' | b';' | b'\t' | b'\n' | b'\r'))
    };
    if separator_at(1) {
        Ok(Some(Wide::Utf16Le))
    } else if separator_at(0) {
        Ok(Some(Wide::Utf16Be))
    } else {
        Err(FileError::NotText)
    }
}

/// UTF-32 in the given byte order; a character that is not one is not text.
fn utf32(bytes: &[u8], word: fn([u8; 4]) -> u32) -> Result<String, FileError> {
    let quads = bytes.chunks_exact(4);
    if !quads.remainder().is_empty() {
        return Err(FileError::NotText);
    }
    quads.map(|q| char::from_u32(word([q[0], q[1], q[2], q[3]])).ok_or(FileError::NotText)).collect()
}

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

/// The most fields a record may have, empty or not: Excel's last column is XFD.
const MAX_FIELDS: usize = 16_384;

/// Refuses, before the csv reader gathers it, a field longer than a cell may
/// hold, text further right than `MAX_COLUMNS` and a record of more than
/// `MAX_FIELDS` fields, splitting the text as the csv reader does (RFC 4180
/// quoting with doubled quotes; a record ends at CR, LF or CRLF, and blank
/// lines are skipped).
fn check_shape(text: &str, delimiter: u8) -> Result<(), FileError> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum At {
        RecordStart,
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let (mut at, mut row, mut column, mut chars) = (At::RecordStart, 1usize, 0usize, 0usize);
    for b in text.bytes() {
        let is_end = b == b'\n' || b == b'\r';
        // The next state, and whether the byte is part of the field's value.
        let (next, content) = match (at, b) {
            (At::RecordStart, _) if is_end => (At::RecordStart, false),
            (At::RecordStart | At::FieldStart, b'"') => (At::Quoted, false),
            (At::Quoted, b'"') => (At::QuoteInQuoted, false),
            (At::QuoteInQuoted, b'"') => (At::Quoted, true),
            (At::Quoted, _) => (At::Quoted, true),
            (_, b) if b == delimiter => {
                (column, chars) = (column + 1, 0);
                if column >= MAX_FIELDS {
                    return Err(FileError::TooManyColumns { row, column: column + 1 });
                }
                (At::FieldStart, false)
            }
            (_, _) if is_end => {
                (column, chars) = (0, 0);
                (At::RecordStart, false)
            }
            _ => (At::Unquoted, true),
        };
        at = next;
        // Rows are numbered by line, less quoted line breaks, as `read` numbers them.
        if b == b'\n' && at != At::Quoted {
            row += 1;
        }
        // Count characters, not bytes: a UTF-8 continuation byte starts none.
        if content && b & 0xC0 != 0x80 {
            chars += 1;
            if chars > MAX_CELL_CHARS {
                return Err(FileError::CellTooLong { row, column: column + 1 });
            }
            if column >= MAX_COLUMNS && !b.is_ascii_whitespace() {
                return Err(FileError::TooManyColumns { row, column: column + 1 });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_text_without_a_bom_is_told_by_its_nuls() {
        let text = "Display name;Username\nZoë;zoe\n";
        let le16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le32: Vec<u8> = text.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        let be32: Vec<u8> = text.chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        for bytes in [le16, be16, le32.clone(), be32.clone()] {
            assert_eq!(decode(&bytes).map(Cow::into_owned), Ok(text.to_owned()));
        }
        let with_bom = |bom: &[u8], body: &[u8]| [bom, body].concat();
        assert_eq!(decode(&with_bom(b"\xFF\xFE\x00\x00", &le32)).map(Cow::into_owned), Ok(text.to_owned()));
        assert_eq!(decode(&with_bom(b"\x00\x00\xFE\xFF", &be32)).map(Cow::into_owned), Ok(text.to_owned()));
    }

    #[test]
    fn nul_bytes_that_are_not_wide_text_are_refused() {
        for bytes in [
            b"Display name,Username\nA\x00,a\n".as_slice(),
            b"\x00\x00\x00Display name".as_slice(),
            b"Display name,Username\n\x00\x00b,c\n".as_slice(),
        ] {
            assert_eq!(decode(bytes).err(), Some(FileError::NotText), "{bytes:?}");
        }
        // A UTF-8 text with a NUL escaped as a character reference is only text.
        assert!(decode("a,b\n&#0;,c\n".as_bytes()).is_ok());
    }

    #[test]
    fn a_field_longer_than_a_cell_is_refused_before_it_is_gathered() {
        let long = "x".repeat(MAX_CELL_CHARS + 1);
        let fits = "é".repeat(MAX_CELL_CHARS);
        assert_eq!(check_shape(&format!("a,b\r\nc,{fits}\n"), b','), Ok(()));
        assert_eq!(check_shape(&format!("{long},b\n"), b','), Err(FileError::CellTooLong { row: 1, column: 1 }));
        let quoted = format!("a;b\n\"x\ny\";\"{long}\"\"\"\n");
        assert_eq!(check_shape(&quoted, b';'), Err(FileError::CellTooLong { row: 2, column: 2 }));
    }

    #[test]
    fn a_record_wider_than_a_sheet_is_refused_before_it_is_gathered() {
        let padded = format!("a,b{}\nc,d{}\n", ",".repeat(200), ", ".repeat(200));
        assert_eq!(check_shape(&padded, b','), Ok(()));
        let far = format!("a,b\nc{}x\n", ",".repeat(MAX_COLUMNS));
        assert_eq!(check_shape(&far, b','), Err(FileError::TooManyColumns { row: 2, column: MAX_COLUMNS + 1 }));
        let wide = format!("a,b\n{}\n", ",".repeat(MAX_FIELDS));
        assert_eq!(check_shape(&wide, b','), Err(FileError::TooManyColumns { row: 2, column: MAX_FIELDS + 1 }));
    }
}
