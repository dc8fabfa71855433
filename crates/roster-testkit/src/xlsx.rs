//! XLSX files made by hand for tests of hostile input: any part, streamed from a
//! pattern, so a bomb that inflates to hundreds of MB is written without ever
//! being held. Self-contained (std and `zip`): roster-core's tests include this
//! file too.
#![allow(
    clippy::expect_used,
    reason = "test support: writing to memory cannot fail, and a failure should panic saying so"
)]
#![allow(dead_code, reason = "roster-core's tests include this file and use a part of it each")]

use std::io::{Cursor, Write};

/// A part's content: bytes, or a head, a unit repeated, and a tail.
pub enum Part {
    Bytes(Vec<u8>),
    Repeated { head: String, unit: String, times: u64, tail: String },
}

impl Part {
    pub fn text(s: impl Into<String>) -> Self {
        Part::Bytes(s.into().into_bytes())
    }
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Users" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// The start of a worksheet, up to its first row.
pub const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
/// The end of a worksheet.
pub const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// An inline-string cell.
pub fn cell(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A row of inline-string cells from column A.
pub fn row(number: u32, cells: &[&str]) -> String {
    let columns = ["A", "B", "C", "D", "E", "F", "G"];
    let cells: String = cells.iter().zip(columns).map(|(text, c)| cell(&format!("{c}{number}"), text)).collect();
    format!(r#"<row r="{number}">{cells}</row>"#)
}

/// A header row of display name and username.
pub fn header() -> String {
    row(1, &["Display name", "Username"])
}

/// A workbook of one sheet, with shared strings if given.
pub fn workbook(sheet: Part, shared_strings: Option<Part>) -> Vec<u8> {
    let mut parts = vec![
        ("[Content_Types].xml", Part::text(CONTENT_TYPES)),
        ("_rels/.rels", Part::text(PACKAGE_RELS)),
        ("xl/workbook.xml", Part::text(WORKBOOK)),
        ("xl/_rels/workbook.xml.rels", Part::text(WORKBOOK_RELS)),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(strings) = shared_strings {
        parts.push(("xl/sharedStrings.xml", strings));
    }
    archive(parts)
}

/// A workbook whose sheet holds these rows, in full.
pub fn sheet(rows: &str) -> Vec<u8> {
    workbook(Part::text(format!("{SHEET_HEAD}{rows}{SHEET_TAIL}")), None)
}

/// A zip archive of these parts, deflated.
pub fn archive(parts: Vec<(&str, Part)>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, part) in parts {
        zip.start_file(name, options).expect("starting a part");
        match part {
            Part::Bytes(bytes) => zip.write_all(&bytes).expect("writing a part"),
            Part::Repeated { head, unit, times, tail } => {
                zip.write_all(head.as_bytes()).expect("writing a part");
                // Whole units in chunks of about 1 MiB.
                let per_chunk = (1 << 20) / unit.len().max(1) as u64 + 1;
                let chunk = unit.repeat(per_chunk.min(times) as usize);
                let mut left = times;
                while left >= per_chunk {
                    zip.write_all(chunk.as_bytes()).expect("writing a part");
                    left -= per_chunk;
                }
                zip.write_all(unit.repeat(left as usize).as_bytes()).expect("writing a part");
                zip.write_all(tail.as_bytes()).expect("writing a part");
            }
        }
    }
    zip.finish().expect("finishing the archive").into_inner()
}

/// A header, then one user whose display name is `inflated` bytes of one letter.
pub fn cell_bomb(inflated: u64) -> Vec<u8> {
    workbook(
        Part::Repeated {
            head: format!(r#"{SHEET_HEAD}{}<row r="2"><c r="A2" t="inlineStr"><is><t>"#, header()),
            unit: "A".into(),
            times: inflated,
            tail: format!(r#"</t></is></c>{}</row>{SHEET_TAIL}"#, cell("B2", "bomb")),
        },
        None,
    )
}

/// Shared strings that inflate to about `inflated` bytes of tiny strings, which
/// calamine would hold one by one.
pub fn shared_strings_bomb(inflated: u64) -> Vec<u8> {
    let unit = "<si><t>x</t></si>";
    workbook(
        Part::text(format!("{SHEET_HEAD}{}{SHEET_TAIL}", header())),
        Some(Part::Repeated {
            head: r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#.into(),
            unit: unit.into(),
            times: inflated / unit.len() as u64,
            tail: "</sst>".into(),
        }),
    )
}

/// A few bytes of shared strings that say there are four billion of them.
pub fn unique_count_bomb() -> Vec<u8> {
    workbook(
        Part::text(format!("{SHEET_HEAD}{}{SHEET_TAIL}", header())),
        Some(Part::text(
            r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>"#,
        )),
    )
}

/// A sheet that spans A1:XFD1048576, with `empty_rows` rows of one empty cell at
/// XFD: a range of it would be 17 billion cells.
pub fn far_cells_bomb(empty_rows: u64) -> Vec<u8> {
    workbook(
        Part::Repeated {
            head: format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>{}"#,
                header()
            ),
            unit: r#"<row r="3" spans="1:16384"><c r="XFD3" s="1"/></row>"#.into(),
            times: empty_rows,
            tail: format!(
                r#"<row r="1048576">{}{}</row>{SHEET_TAIL}"#,
                cell("A1048576", "Far"),
                cell("XFD1048576", "away")
            ),
        },
        None,
    )
}

/// The archive with every entry's declared uncompressed size (local header and
/// central directory alike) set to `size`.
pub fn declaring_size(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    let mut at = 0;
    while at + 30 <= zip.len() {
        let field = match &zip[at..at + 4] {
            b"PK\x03\x04" => Some(at + 22),
            b"PK\x01\x02" => Some(at + 24),
            _ => None,
        };
        if let Some(field) = field {
            zip[field..field + 4].copy_from_slice(&size.to_le_bytes());
        }
        at += 1;
    }
    zip
}
