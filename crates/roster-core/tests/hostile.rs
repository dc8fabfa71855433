//! Hostile input against every parser that takes text from outside: the import
//! reader (CSV and XLSX, then the row checks), the user list's query
//! parameters, the cursor decoder and the catalog parser.
//!
//! Each property holds for every input: no panic; an answer that quotes at most
//! a short excerpt of what was sent; and bounded memory. Memory is measured, not
//! guessed: this binary's global allocator counts the heap, and `peak_of` reads
//! the most a call held at once beyond what was held when it started. Properties
//! run one at a time (`ONE_AT_A_TIME`) so no other test's heap is counted.
//!
//! Each property runs a few cases in CI; `PROPTEST_CASES=n` runs n of each (see
//! README, "Fuzzing").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "all of this binary is tests, and its helpers should fail as loudly"
)]

#[path = "../../roster-testkit/src/xlsx.rs"]
mod xlsx;

use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use proptest::prelude::*;
use roster_core::catalog::{Catalog, parse_catalog_file};
use roster_core::imports::{FileError, ImportContext, MAX_INFLATED_BYTES, MAX_ROWS, check_rows, read};
use roster_core::paging::{Key, PageRequest, Position, SortValue, encode_cursor};
use roster_core::services::UserListParams;
use std::alloc::System;
use std::collections::HashSet;
use std::sync::Mutex;
use xlsx::Part;

#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const MIB: usize = 1024 * 1024;

/// What `f` returns, and the most heap it held at once beyond what was held before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    HEAP.reset_peak_memory();
    let value = f();
    (value, HEAP.get_peak_memory())
}

/// Runs a property for `ci` cases, or `PROPTEST_CASES` when it is set, holding
/// `ONE_AT_A_TIME` throughout: the runner makes each case's input on this
/// thread, and nothing else may allocate while a case is measured.
fn property<S: Strategy>(ci: u32, strategy: S, test: impl Fn(S::Value)) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(ci);
    let config = ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, |value| {
        test(value);
        Ok(())
    }) {
        panic!("{e}");
    }
}

/// An error message is an answer: it must not grow with the input.
fn assert_short(message: &str) {
    assert!(message.len() < 1000, "{} bytes: {}", message.len(), message.chars().take(300).collect::<String>());
}

fn fixtures() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/import");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the import fixtures")
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().ends_with(".py"))
        .map(|e| (e.file_name(), std::fs::read(e.path()).expect("a fixture")))
        .collect();
    files.sort();
    files.into_iter().map(|(_, bytes)| bytes).collect()
}

/// Reads a file and checks its rows: an answer for every input, short when it
/// is an error, and never a NUL in a cell that reached the checks.
fn read_and_check(bytes: &[u8]) -> Result<usize, FileError> {
    let sheet = read(bytes)?;
    let catalog = Catalog::default();
    let domains = ["fixtures.example".to_owned()];
    let taken = HashSet::new();
    let ctx = ImportContext {
        domains: &domains,
        default_location: None,
        catalog: &catalog,
        seats: &[],
        taken: &taken,
        role_names: &[],
    };
    let checked = check_rows(&sheet, &ctx);
    assert_eq!(checked.len(), sheet.rows.len());
    for row in &checked {
        for problem in row.outcome.as_ref().err().into_iter().flatten() {
            assert_short(&problem.message);
        }
    }
    Ok(sheet.rows.len())
}

/// CSV: the text decoded (at most three times the bytes, for Windows-1252),
/// the row being read, and the rows kept (a row's fixed part and its text).
fn csv_bound(bytes: &[u8]) -> usize {
    let lines = bytes.iter().filter(|b| **b == b'\n' || **b == b'\r').count() + 1;
    8 * bytes.len() + 128 * lines.min(MAX_ROWS + 1) + MIB
}

fn check_csv(bytes: &[u8]) {
    let (result, peak) = peak_of(|| read_and_check(bytes));
    if let Err(e) = &result {
        assert_short(&e.to_string());
    }
    assert!(peak <= csv_bound(bytes), "{} bytes of CSV held {peak} bytes at once", bytes.len());
}

/// A cell's text as a hostile file would have it.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Zé@.;,|\t\"\r\n -]{0,40}",
        "\\PC{0,40}",
        any::<String>(),
        (any::<char>(), 0..40_000usize).prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
    ]
}

/// An XLSX file from rows of hostile text, and how many bytes its XML holds.
fn xlsx_of(rows: &[Vec<String>], shared: bool) -> (Vec<u8>, usize) {
    let escape = |s: &str| {
        s.chars()
            .filter(|c| !c.is_control() || *c == '\t' || *c == '\n')
            .collect::<String>()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut sheet = format!("{}{}", xlsx::SHEET_HEAD, xlsx::header());
    let mut strings = String::from(r#"<sst uniqueCount="0">"#);
    let mut index = 0;
    for (r, cells) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 2));
        for (c, text) in cells.iter().enumerate() {
            let reference = format!("{}{}", char::from(b'A' + c as u8), r + 2);
            if shared {
                sheet.push_str(&format!(r#"<c r="{reference}" t="s"><v>{index}</v></c>"#));
                strings.push_str(&format!("<si><t>{}</t></si>", escape(text)));
                index += 1;
            } else {
                sheet.push_str(&xlsx::cell(&reference, &escape(text)));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str(xlsx::SHEET_TAIL);
    strings.push_str("</sst>");
    let inflated = sheet.len() + if shared { strings.len() } else { 0 };
    (xlsx::workbook(Part::text(sheet), shared.then(|| Part::text(strings))), inflated)
}

/// Bombs of every shape, inflating to between 1 and 96 MiB: past the budget,
/// past the ratio, or neither.
fn bomb() -> impl Strategy<Value = (Vec<u8>, usize)> {
    let unit = prop_oneof![
        Just("A".to_owned()),
        Just("<si><t>x</t></si>".to_owned()),
        Just(r#"<row r="3"><c r="A3" s="1"/></row>"#.to_owned()),
        Just("<!-- -->".to_owned()),
        "[a-z<>/=\" ]{1,12}",
    ];
    (unit, 1usize..96, any::<bool>(), any::<bool>()).prop_map(|(unit, mib, strings, lie)| {
        let times = (mib * MIB / unit.len()) as u64;
        let header = format!("{}{}", xlsx::SHEET_HEAD, xlsx::header());
        let file = if strings {
            let sheet = Part::text(format!("{header}{}", xlsx::SHEET_TAIL));
            let sst = Part::Repeated { head: "<sst>".into(), unit, times, tail: "</sst>".into() };
            xlsx::workbook(sheet, Some(sst))
        } else {
            let part = Part::Repeated { head: header, unit, times, tail: xlsx::SHEET_TAIL.into() };
            xlsx::workbook(part, None)
        };
        let file = if lie { xlsx::declaring_size(file, 1000) } else { file };
        (file, mib * MIB)
    })
}

/// XLSX: the archive rebuilt (at most the file), the XML calamine parses and
/// the strings it keeps (about the XML), the rows kept. A file refused while it
/// inflates held nothing of what it inflated to.
fn check_xlsx(bytes: &[u8], inflated: usize) {
    let (result, peak) = peak_of(|| read_and_check(bytes));
    match &result {
        Err(FileError::Inflates(_)) => {
            assert!(peak <= 2 * bytes.len() + 2 * MIB, "{} bytes of XLSX, refused, held {peak}", bytes.len())
        }
        _ => {
            let xml = inflated.min(MAX_INFLATED_BYTES as usize);
            let bound = 4 * bytes.len() + 4 * xml + 2 * MIB;
            assert!(peak <= bound, "{} bytes of XLSX ({inflated} of XML) held {peak}", bytes.len());
        }
    }
    if let Err(e) = &result {
        assert_short(&e.to_string());
    }
}

#[test]
fn csv_of_random_bytes() {
    property(200, proptest::collection::vec(any::<u8>(), 0..4096), |bytes| check_csv(&bytes));
}

#[test]
fn csv_of_hostile_text_in_any_encoding() {
    let header =
        prop_oneof![Just("Display name,Username\n"), Just("Nom d'affichage;Nom d'utilisateur;Rôles\r\n"), Just("")];
    let input = (header, proptest::collection::vec(hostile_text(), 0..30), 0..5u8);
    property(200, input, |(header, cells, encoding)| {
        let text = format!("{header}{}", cells.join(","));
        let bytes: Vec<u8> = match encoding {
            0 => text.into_bytes(),
            1 => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            2 => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            3 => text.chars().flat_map(|c| (c as u32).to_le_bytes()).collect(),
            _ => encoding_rs::WINDOWS_1252.encode(&text).0.into_owned(),
        };
        check_csv(&bytes);
    });
}

#[test]
fn mutated_fixtures() {
    let files = fixtures();
    let edits = proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16);
    property(200, (any::<prop::sample::Index>(), edits, any::<prop::sample::Index>()), |(pick, edits, cut)| {
        let mut bytes = files[pick.index(files.len())].clone();
        for (at, byte) in edits {
            let i = at.index(bytes.len().max(1));
            if i < bytes.len() {
                bytes[i] = byte;
            }
        }
        bytes.truncate(cut.index(bytes.len() + 1).max(bytes.len() / 2));
        if bytes.starts_with(b"PK\x03\x04") {
            // Mutated deflate can inflate to anything within the budget.
            check_xlsx(&bytes, MAX_INFLATED_BYTES as usize);
        } else {
            check_csv(&bytes);
        }
    });
}

#[test]
fn xlsx_of_hostile_cells() {
    let rows = proptest::collection::vec(proptest::collection::vec(hostile_text(), 0..7), 0..20);
    let flips = proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4);
    property(100, (rows, any::<bool>(), flips), |(rows, shared, flips)| {
        let (mut bytes, inflated) = xlsx_of(&rows, shared);
        for (at, byte) in &flips {
            let i = at.index(bytes.len());
            bytes[i] = *byte;
        }
        let inflated = if flips.is_empty() { inflated } else { MAX_INFLATED_BYTES as usize };
        check_xlsx(&bytes, inflated);
    });
}

#[test]
fn xlsx_bombs() {
    // Each case writes up to 96 MiB of XML through deflate.
    property(12, bomb(), |(bytes, inflated)| check_xlsx(&bytes, inflated));
}

/// Text a query string could carry: anything, control characters included.
fn param() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9_.-]{0,70}",
        Just("\u{0}".to_owned()),
        (any::<char>(), 0..5000usize).prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
        Just("displayName".to_owned()),
        Just("-createdAt".to_owned()),
        Just("global-admin".to_owned()),
    ])
}

fn cursor() -> impl Strategy<Value = Option<String>> {
    use base64::Engine;
    let json = (any::<String>(), prop_oneof![Just("displayName"), Just("x")], any::<u8>()).prop_map(|(t, s, p)| {
        let p = ["a", "b", "f", "l", "z"][p as usize % 5];
        format!(r#"{{"p":"{p}","s":"{s}","t":{},"i":"0190b3f0-0000-7000-8000-000000000000"}}"#, serde_json::json!(t))
    });
    proptest::option::of(prop_oneof![
        any::<String>(),
        json.prop_map(|j| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(j)),
    ])
}

#[test]
fn user_list_parameters() {
    let text = (param(), param(), param(), param(), param(), param(), param());
    property(300, (text, proptest::option::of(any::<u32>()), cursor()), |(text, limit, cursor)| {
        let (state, search, license, role, usage_location, sign_in, sort) = text;
        let params = UserListParams { state, search, license, role, usage_location, sign_in, sort, limit, cursor };
        let sent: usize = [
            &params.state,
            &params.search,
            &params.license,
            &params.role,
            &params.usage_location,
            &params.sign_in,
            &params.sort,
            &params.cursor,
        ]
        .iter()
        .map(|p| p.as_ref().map_or(0, String::len))
        .sum();
        let (parsed, peak) = peak_of(|| params.parse());
        assert!(peak <= 4 * sent + 16 * 1024, "{sent} bytes of parameters held {peak}");
        match parsed {
            Ok(query) => {
                assert!(!query.filter.search.as_deref().unwrap_or_default().chars().any(char::is_control));
                if let Position::After(key) | Position::Before(key) = &query.page.position
                    && let SortValue::Text(t) = &key.value
                {
                    assert!(!t.chars().any(char::is_control), "a cursor brought {t:?}");
                }
            }
            Err(e) => {
                assert_eq!(e.code(), "validation_failed", "{e}");
                assert_short(&e.to_string());
            }
        }
    });
}

#[test]
fn cursors_round_trip_or_are_refused() {
    property(300, (any::<String>(), any::<u128>()), |(text, id)| {
        let position = Position::After(Key { value: SortValue::Text(text.clone()), id: uuid::Uuid::from_u128(id) });
        let cursor = encode_cursor(&position, "displayName");
        let (parsed, peak) = peak_of(|| PageRequest::parse(None, Some(&cursor), "displayName"));
        assert!(peak <= 4 * cursor.len() + 1024, "a cursor of {} bytes held {peak}", cursor.len());
        let acceptable = !text.chars().any(char::is_control) && text.chars().count() <= 1024;
        assert_eq!(parsed.map(|p| p.position).ok(), acceptable.then_some(position));
    });
}

/// A catalog file of products with hostile ids, names and plans.
fn catalog_file() -> impl Strategy<Value = String> {
    let text = prop_oneof![any::<String>(), "[A-Z_]{1,8}", Just("\u{0}".to_owned()), "\\PC{0,300}"];
    let plan = (text.clone(), text.clone()).prop_map(|(id, name)| serde_json::json!({"id": id, "name": name}));
    let product = (text.clone(), text.clone(), proptest::collection::vec(plan, 0..3), proptest::collection::vec(text, 0..3))
        .prop_map(|(id, name, plans, requires)| {
            serde_json::json!({"id": id, "name": name, "servicePlans": plans, "requires": requires, "availableIn": ["FR", "us"]})
        });
    proptest::collection::vec(product, 0..6).prop_map(|products| serde_json::json!({"products": products}).to_string())
}

#[test]
fn catalog_files() {
    property(300, prop_oneof![catalog_file(), any::<String>()], |json| {
        let (parsed, peak) = peak_of(|| parse_catalog_file(json.as_bytes(), &Catalog::default()));
        assert!(peak <= 16 * json.len() + 16 * 1024, "{} bytes of catalog held {peak}", json.len());
        match parsed {
            Ok(products) => {
                for p in products {
                    assert!(!p.name.chars().any(char::is_control));
                    let control = |s: &str| s.chars().any(char::is_control);
                    assert!(p.service_plans.iter().all(|s| !control(&s.id) && !control(&s.name)));
                }
            }
            Err(e) => assert_short(&e.0),
        }
    });
}

/// The bombs of issue 15, each refused while it inflates, holding little.
#[test]
fn reading_a_bomb_holds_little() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let bombs = [
        ("a 500 MB cell", xlsx::cell_bomb(500 << 20)),
        ("500 MB of shared strings", xlsx::shared_strings_bomb(500 << 20)),
        ("sizes that lie", xlsx::declaring_size(xlsx::cell_bomb(500 << 20), 1000)),
        ("four billion shared strings declared", xlsx::unique_count_bomb()),
        ("a million rows to XFD1048576", xlsx::far_cells_bomb(1_000_000)),
    ];
    for (what, bomb) in bombs {
        let (result, peak) = peak_of(|| read(&bomb));
        let error = result.err().unwrap_or_else(|| panic!("{what} was read"));
        assert_short(&error.to_string());
        assert!(peak <= bomb.len() + 2 * MIB, "{what}: {} bytes held {peak} at once ({error})", bomb.len());
    }
}
