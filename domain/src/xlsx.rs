//! A small writer of Excel workbooks (XLSX, Office Open XML): one worksheet of text, numbers and
//! dates, a bold frozen header row with a filter, and column widths fitted to the content.
//!
//! The package is a ZIP of stored (uncompressed) entries, written here with its own CRC-32, so
//! the writer needs no dependency and runs the same in the browser (wasm32) and natively. Text is
//! written as inline strings (`t="inlineStr"`), so one row's XML is complete on its own and rows
//! stream into the sheet as they are added.

use chrono::NaiveDate;
use std::fmt::Write as _;

/// Most rows a worksheet holds (Excel's limit), header included.
pub const MAX_ROWS: usize = 1 << 20;
/// Most columns a worksheet holds (Excel's limit).
pub const MAX_COLUMNS: usize = 1 << 14;
/// Widest a column is fitted, in characters.
const MAX_WIDTH: usize = 60;

/// Why a workbook cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XlsxError {
    #[error("a worksheet holds at most {MAX_ROWS} rows")]
    TooManyRows,
    #[error("a worksheet holds at most {MAX_COLUMNS} columns")]
    TooManyColumns,
    #[error(
        "the workbook is larger than 4 GiB, which a ZIP without its 64-bit extension cannot hold"
    )]
    TooLarge,
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Nothing (the cell is left out).
    Empty,
    /// Text, shown as written.
    Text(&'a str),
    /// A number, shown as Excel's general format shows it.
    Number(f64),
    /// A whole number shown with thousands grouped (`#,##0`).
    Amount(i64),
    /// A date, stored as Excel's day serial number and shown as dd/mm/yyyy.
    Date(NaiveDate),
}

/// A workbook of one worksheet, built row by row.
#[derive(Debug, Clone)]
pub struct Workbook {
    sheet_name: String,
    /// The `<row>` elements so far.
    rows_xml: String,
    rows: usize,
    /// Whether the first row is a header (frozen, with a filter).
    has_header: bool,
    /// Widest cell of each column so far, in characters.
    widths: Vec<usize>,
    /// The letters of the columns so far.
    column_names: Vec<String>,
    error: Option<XlsxError>,
}

impl Workbook {
    /// An empty workbook whose sheet has this name (cut to Excel's 31 characters, without the
    /// characters Excel refuses in sheet names).
    pub fn new(sheet_name: &str) -> Workbook {
        let name: String = sheet_name
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
            .take(31)
            .collect();
        Workbook {
            sheet_name: if name.trim().is_empty() {
                "Sheet1".into()
            } else {
                name
            },
            rows_xml: String::new(),
            rows: 0,
            has_header: false,
            widths: Vec::new(),
            column_names: Vec::new(),
            error: None,
        }
    }

    /// Adds the header row (bold; frozen and filterable when it is the first row).
    pub fn header(mut self, titles: &[&str]) -> Workbook {
        let cells: Vec<Cell<'_>> = titles.iter().map(|t| Cell::Text(t)).collect();
        self.write_row(&cells, true);
        self
    }

    /// Adds a row.
    pub fn row(mut self, cells: &[Cell<'_>]) -> Workbook {
        self.push_row(cells);
        self
    }

    /// Adds a row (for loops).
    pub fn push_row(&mut self, cells: &[Cell<'_>]) {
        self.write_row(cells, false);
    }

    /// Rows so far, header included.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    fn write_row(&mut self, cells: &[Cell<'_>], header: bool) {
        if self.error.is_some() {
            return;
        }
        if self.rows >= MAX_ROWS {
            self.error = Some(XlsxError::TooManyRows);
            return;
        }
        if cells.len() > MAX_COLUMNS {
            self.error = Some(XlsxError::TooManyColumns);
            return;
        }
        self.has_header |= self.rows == 0 && header;
        self.rows += 1;
        let r = self.rows;
        if self.widths.len() < cells.len() {
            self.widths.resize(cells.len(), 0);
        }
        while self.column_names.len() < cells.len() {
            self.column_names.push(column_name(self.column_names.len()));
        }
        let out = &mut self.rows_xml;
        let _ = write!(out, r#"<row r="{r}">"#);
        for (i, cell) in cells.iter().enumerate() {
            let col = &self.column_names[i];
            // The styles' indexes in `STYLES`.
            let s = match cell {
                _ if header => r#" s="1""#,
                Cell::Date(_) => r#" s="2""#,
                Cell::Amount(_) => r#" s="3""#,
                _ => "",
            };
            let shown = match cell {
                Cell::Empty => 0,
                Cell::Text(t) => {
                    let _ = write!(out, r#"<c r="{col}{r}"{s} t="inlineStr"><is><t"#);
                    if t.starts_with(char::is_whitespace) || t.ends_with(char::is_whitespace) {
                        out.push_str(r#" xml:space="preserve""#);
                    }
                    out.push('>');
                    escape_into(out, t);
                    out.push_str("</t></is></c>");
                    t.lines().map(|l| l.chars().count()).max().unwrap_or(0)
                }
                Cell::Number(x) if x.is_finite() => {
                    let _ = write!(out, r#"<c r="{col}{r}"{s}><v>"#);
                    let at = out.len();
                    let _ = write!(out, "{x}");
                    let digits = out.len() - at;
                    out.push_str("</v></c>");
                    digits
                }
                Cell::Number(_) => 0,
                Cell::Amount(n) => {
                    let _ = write!(out, r#"<c r="{col}{r}"{s}><v>"#);
                    let at = out.len();
                    let _ = write!(out, "{n}");
                    let digits = out.len() - at;
                    out.push_str("</v></c>");
                    // With the thousands separators.
                    digits + (digits - usize::from(*n < 0)).saturating_sub(1) / 3
                }
                Cell::Date(d) => {
                    let _ = write!(out, r#"<c r="{col}{r}"{s}><v>{}</v></c>"#, excel_serial(*d));
                    10
                }
            };
            // Bold header text is wider than body text.
            let shown = if header { shown + shown / 8 + 2 } else { shown };
            self.widths[i] = self.widths[i].max(shown.min(MAX_WIDTH));
        }
        out.push_str("</row>");
    }

    /// The workbook as the bytes of an `.xlsx` file.
    pub fn to_bytes(&self) -> Result<Vec<u8>, XlsxError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let mut zip = ZipWriter::default();
        zip.add("[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
        zip.add("_rels/.rels", ROOT_RELS.as_bytes())?;
        zip.add("xl/workbook.xml", self.workbook_xml().as_bytes())?;
        zip.add("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes())?;
        zip.add("xl/styles.xml", STYLES.as_bytes())?;
        let (head, tail) = self.sheet_xml();
        zip.add_pieces(
            "xl/worksheets/sheet1.xml",
            &[head.as_bytes(), self.rows_xml.as_bytes(), tail.as_bytes()],
        )?;
        zip.finish()
    }

    fn workbook_xml(&self) -> String {
        let mut name = String::new();
        escape_into(&mut name, &self.sheet_name);
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
                r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#,
                r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
                r#"<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>"#,
                r#"{defined}</workbook>"#
            ),
            name = name,
            defined = self.last_cell().filter(|_| self.has_header).map_or(String::new(), |(col, row)| format!(
                // Excel keeps a sheet's filter range as this hidden name.
                r#"<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'{}'!$A$1:${col}${row}</definedName></definedNames>"#,
                name.replace('\'', "''"),
            ))
        )
    }

    /// The column and row of the last cell (`("K", 1201)`), when there is a row and a column.
    fn last_cell(&self) -> Option<(String, usize)> {
        let cols = self.widths.len();
        (self.rows > 0 && cols > 0).then(|| (column_name(cols - 1), self.rows))
    }

    /// The range of every row and column (`A1:K1201`), the header's filter covers.
    fn filter_ref(&self) -> Option<String> {
        self.last_cell().map(|(col, row)| format!("A1:{col}{row}"))
    }

    /// The worksheet's XML before and after its rows (which are not copied: they can be
    /// hundreds of megabytes).
    fn sheet_xml(&self) -> (String, String) {
        let mut x = String::with_capacity(1024);
        x.push_str(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#,
            r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        ));
        if let Some(r) = self.filter_ref() {
            let _ = write!(x, r#"<dimension ref="{r}"/>"#);
        }
        x.push_str(r#"<sheetViews><sheetView workbookViewId="0">"#);
        if self.has_header && self.rows > 1 {
            x.push_str(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>"#,
            );
        }
        x.push_str(r#"</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>"#);
        if !self.widths.is_empty() {
            x.push_str("<cols>");
            for (i, w) in self.widths.iter().enumerate() {
                let width = (*w).clamp(6, MAX_WIDTH) + 2;
                let _ = write!(
                    x,
                    r#"<col min="{n}" max="{n}" width="{width}" customWidth="1"/>"#,
                    n = i + 1
                );
            }
            x.push_str("</cols>");
        }
        x.push_str("<sheetData>");
        let mut tail = String::from("</sheetData>");
        if let Some(r) = self.filter_ref().filter(|_| self.has_header) {
            let _ = write!(tail, r#"<autoFilter ref="{r}"/>"#);
        }
        tail.push_str("</worksheet>");
        (x, tail)
    }
}

/// The letters of a column (0 = `A`, 25 = `Z`, 26 = `AA`).
pub fn column_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A date as Excel's serial day number (1900 date system: 1 = 1900-01-01, counting Excel's
/// phantom 29 February 1900, hence the epoch of 30 December 1899).
pub fn excel_serial(d: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (d - epoch).num_days()
}

/// Appends text escaped for XML content and attributes, dropping the control characters XML 1.0
/// cannot carry.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    r#"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
    r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    r#"</Types>"#
);

const ROOT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
    r#"</Relationships>"#
);

const WORKBOOK_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    r#"</Relationships>"#
);

/// Styles: 0 plain, 1 bold header on grey, 2 dd/mm/yyyy dates, 3 `#,##0` amounts.
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>"#,
    r#"<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#,
    r#"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>"#,
    r#"<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>"#,
    r#"<fill><patternFill patternType="solid"><fgColor rgb="FFE7EEF8"/><bgColor indexed="64"/></patternFill></fill></fills>"#,
    r#"<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>"#,
    r#"<border><left/><right/><top/><bottom style="thin"><color rgb="FF9AA6B5"/></bottom><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
    r#"<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>"#,
    r#"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#,
    r#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
    r#"</styleSheet>"#
);

/// CRC-32 (IEEE 802.3, the ZIP and PNG checksum) by a table computed at compile time.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32_update(0, bytes)
}

/// The CRC-32 of some bytes followed by more bytes, from the CRC of the first ones.
pub fn crc32_update(crc: u32, bytes: &[u8]) -> u32 {
    // Slicing by 8: table k gives the CRC of a byte followed by k zero bytes, so eight bytes
    // are folded in at once.
    const TABLES: [[u32; 256]; 8] = {
        let mut t = [[0u32; 256]; 8];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[0][i] = c;
            i += 1;
        }
        let mut k = 1;
        while k < 8 {
            let mut i = 0;
            while i < 256 {
                let prev = t[k - 1][i];
                t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
                i += 1;
            }
            k += 1;
        }
        t
    };
    let t = &TABLES;
    let mut c = !crc;
    let mut chunks = bytes.chunks_exact(8);
    for b in &mut chunks {
        let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        c = t[7][(lo & 0xFF) as usize]
            ^ t[6][((lo >> 8) & 0xFF) as usize]
            ^ t[5][((lo >> 16) & 0xFF) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][b[4] as usize]
            ^ t[2][b[5] as usize]
            ^ t[1][b[6] as usize]
            ^ t[0][b[7] as usize];
    }
    for &b in chunks.remainder() {
        c = t[0][((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// A ZIP archive of stored entries, written into memory.
#[derive(Debug, Default)]
struct ZipWriter {
    out: Vec<u8>,
    /// Central directory records so far.
    central: Vec<u8>,
    entries: u16,
}

/// 1980-01-01 00:00 in MS-DOS form: every file gets the same stamp, so equal workbooks are equal
/// bytes.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

impl ZipWriter {
    fn add(&mut self, name: &str, data: &[u8]) -> Result<(), XlsxError> {
        self.add_pieces(name, &[data])
    }

    /// Adds an entry whose data is these pieces one after the other.
    fn add_pieces(&mut self, name: &str, pieces: &[&[u8]]) -> Result<(), XlsxError> {
        let len: usize = pieces.iter().map(|p| p.len()).sum();
        let size = u32::try_from(len).map_err(|_| XlsxError::TooLarge)?;
        let offset = u32::try_from(self.out.len()).map_err(|_| XlsxError::TooLarge)?;
        let crc = pieces.iter().fold(0, |crc, p| crc32_update(crc, p));
        let name = name.as_bytes();
        // Local file header.
        let o = &mut self.out;
        o.reserve(30 + name.len() + len);
        o.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        o.extend_from_slice(&10u16.to_le_bytes()); // version needed: 1.0, stored
        o.extend_from_slice(&0u16.to_le_bytes()); // flags
        o.extend_from_slice(&0u16.to_le_bytes()); // method: stored
        o.extend_from_slice(&DOS_TIME.to_le_bytes());
        o.extend_from_slice(&DOS_DATE.to_le_bytes());
        o.extend_from_slice(&crc.to_le_bytes());
        o.extend_from_slice(&size.to_le_bytes()); // compressed
        o.extend_from_slice(&size.to_le_bytes()); // uncompressed
        o.extend_from_slice(&(name.len() as u16).to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes()); // extra field length
        o.extend_from_slice(name);
        for p in pieces {
            o.extend_from_slice(p);
        }
        // Its central directory record.
        let c = &mut self.central;
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        c.extend_from_slice(&20u16.to_le_bytes()); // made by: MS-DOS, spec 2.0
        c.extend_from_slice(&10u16.to_le_bytes()); // version needed
        c.extend_from_slice(&0u16.to_le_bytes()); // flags
        c.extend_from_slice(&0u16.to_le_bytes()); // method
        c.extend_from_slice(&DOS_TIME.to_le_bytes());
        c.extend_from_slice(&DOS_DATE.to_le_bytes());
        c.extend_from_slice(&crc.to_le_bytes());
        c.extend_from_slice(&size.to_le_bytes());
        c.extend_from_slice(&size.to_le_bytes());
        c.extend_from_slice(&(name.len() as u16).to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes()); // extra
        c.extend_from_slice(&0u16.to_le_bytes()); // comment
        c.extend_from_slice(&0u16.to_le_bytes()); // disk number
        c.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        c.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(name);
        self.entries += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        let offset = u32::try_from(self.out.len()).map_err(|_| XlsxError::TooLarge)?;
        let size = u32::try_from(self.central.len()).map_err(|_| XlsxError::TooLarge)?;
        offset.checked_add(size).ok_or(XlsxError::TooLarge)?;
        self.out.append(&mut self.central);
        let o = &mut self.out;
        o.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes()); // this disk
        o.extend_from_slice(&0u16.to_le_bytes()); // disk with the directory
        o.extend_from_slice(&self.entries.to_le_bytes());
        o.extend_from_slice(&self.entries.to_le_bytes());
        o.extend_from_slice(&size.to_le_bytes());
        o.extend_from_slice(&offset.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes()); // comment length
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One entry read back from an archive.
    struct Entry {
        name: String,
        data: Vec<u8>,
    }

    fn u16_at(b: &[u8], i: usize) -> usize {
        u16::from_le_bytes([b[i], b[i + 1]]) as usize
    }

    fn u32_at(b: &[u8], i: usize) -> u32 {
        u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
    }

    /// A strict reader of stored ZIP archives: follows the end record to the central directory,
    /// checks each local header against its directory record and each entry's CRC.
    fn unzip(b: &[u8]) -> Vec<Entry> {
        let end = b.len() - 22;
        assert_eq!(
            u32_at(b, end),
            0x0605_4b50,
            "end of central directory record"
        );
        let count = u16_at(b, end + 10);
        assert_eq!(u16_at(b, end + 8), count, "entries on this disk");
        let size = u32_at(b, end + 12) as usize;
        let mut at = u32_at(b, end + 16) as usize;
        assert_eq!(
            at + size,
            end,
            "the directory ends where the end record starts"
        );
        let mut entries = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(b, at), 0x0201_4b50, "central directory record");
            let (method, crc) = (u16_at(b, at + 10), u32_at(b, at + 16));
            let (csize, usize_) = (u32_at(b, at + 20) as usize, u32_at(b, at + 24) as usize);
            let name_len = u16_at(b, at + 28);
            let extra = u16_at(b, at + 30) + u16_at(b, at + 32);
            let local = u32_at(b, at + 42) as usize;
            let name = String::from_utf8(b[at + 46..at + 46 + name_len].to_vec()).unwrap();
            at += 46 + name_len + extra;
            assert_eq!((method, csize), (0, usize_), "{name} is stored");
            assert_eq!(u32_at(b, local), 0x0403_4b50, "{name}: local header");
            assert_eq!(u32_at(b, local + 14), crc, "{name}: local CRC");
            assert_eq!(u32_at(b, local + 18) as usize, csize, "{name}: local size");
            let lname = u16_at(b, local + 26);
            let lextra = u16_at(b, local + 28);
            assert_eq!(&b[local + 30..local + 30 + lname], name.as_bytes());
            let start = local + 30 + lname + lextra;
            let data = b[start..start + csize].to_vec();
            assert_eq!(crc32(&data), crc, "{name}: CRC of the data");
            entries.push(Entry { name, data });
        }
        assert_eq!(at, end);
        entries
    }

    fn entry(entries: &[Entry], name: &str) -> String {
        let e = entries.iter().find(|e| e.name == name).expect(name);
        String::from_utf8(e.data.clone()).unwrap()
    }

    /// The text of every `<t>` element, unescaped.
    fn texts(xml: &str) -> Vec<String> {
        xml.split("<t")
            .skip(1)
            .filter_map(|s| s.split_once('>'))
            .filter_map(|(_, rest)| rest.split_once("</t>"))
            .map(|(t, _)| {
                t.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&")
            })
            .collect()
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn columns_are_named_in_letters() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(10), "K");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn dates_become_excel_serial_days() {
        assert_eq!(
            excel_serial(NaiveDate::from_ymd_opt(1900, 3, 1).unwrap()),
            61
        );
        assert_eq!(
            excel_serial(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()),
            46351
        );
    }

    #[test]
    fn a_workbook_is_a_valid_zip_of_the_package_parts() {
        let bytes = Workbook::new("Hồ sơ")
            .header(&["Mã", "Tên"])
            .row(&[Cell::Number(1.0), Cell::Text("Hà Nội")])
            .to_bytes()
            .unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let entries = unzip(&bytes);
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/styles.xml",
                "xl/worksheets/sheet1.xml"
            ]
        );
        assert!(entry(&entries, "xl/workbook.xml").contains(r#"<sheet name="Hồ sơ" sheetId="1""#));
        let sheet = entry(&entries, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"<dimension ref="A1:B2"/>"#));
        assert!(sheet.contains(r#"state="frozen""#));
        assert!(sheet.contains(r#"<autoFilter ref="A1:B2"/>"#));
        assert!(sheet.contains(r#"<c r="A2"><v>1</v></c>"#));
        assert!(sheet.contains(r#"<c r="A1" s="1" t="inlineStr"><is><t>Mã</t></is></c>"#));
    }

    #[test]
    fn vietnamese_text_and_markup_characters_round_trip() {
        let tricky = [
            "Kiểm tra khi có dấu hiệu vi phạm",
            r#"a < b & c > "d" 'e'"#,
            " leading and trailing ",
            "Đà Nẵng; Thừa Thiên Huế",
        ];
        let cells: Vec<Cell<'_>> = tricky.iter().map(|t| Cell::Text(t)).collect();
        let bytes = Workbook::new("x").row(&cells).to_bytes().unwrap();
        let sheet = entry(&unzip(&bytes), "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("a &lt; b &amp; c &gt; &quot;d&quot; &apos;e&apos;"));
        assert!(sheet.contains(r#"<t xml:space="preserve"> leading and trailing </t>"#));
        assert_eq!(texts(&sheet), tricky);
    }

    #[test]
    fn control_characters_xml_cannot_carry_are_dropped() {
        let mut s = String::new();
        escape_into(&mut s, "a\u{0}b\u{1b}c\td");
        assert_eq!(s, "abc\td");
    }

    #[test]
    fn numbers_dates_and_amounts_get_their_styles() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let bytes = Workbook::new("x")
            .header(&["Ngày", "Số tiền", "Tỷ lệ", ""])
            .row(&[
                Cell::Date(d),
                Cell::Amount(1_250_000_000),
                Cell::Number(0.5),
                Cell::Empty,
            ])
            .to_bytes()
            .unwrap();
        let entries = unzip(&bytes);
        let sheet = entry(&entries, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"<c r="A2" s="2"><v>46351</v></c>"#));
        assert!(sheet.contains(r#"<c r="B2" s="3"><v>1250000000</v></c>"#));
        assert!(sheet.contains(r#"<c r="C2"><v>0.5</v></c>"#));
        assert!(!sheet.contains(r#"r="D2""#), "empty cells are left out");
        let styles = entry(&entries, "xl/styles.xml");
        assert!(styles.contains(r#"formatCode="dd/mm/yyyy""#));
        assert!(styles.contains(r#"<cellXfs count="4">"#));
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell() {
        let bytes = Workbook::new("x")
            .header(&["Mã"])
            .row(&[Cell::Text("Kiểm tra khi có dấu hiệu vi phạm")])
            .to_bytes()
            .unwrap();
        let sheet = entry(&unzip(&bytes), "xl/worksheets/sheet1.xml");
        // 32 characters, plus a margin of 2.
        assert!(sheet.contains(r#"<col min="1" max="1" width="34" customWidth="1"/>"#));
    }

    #[test]
    fn a_sheet_name_is_cut_to_what_excel_accepts() {
        let w = Workbook::new("Cases: 2026/11 [all] and many more words besides");
        assert_eq!(w.sheet_name, "Cases 202611 all and many more ");
        assert_eq!(Workbook::new("  ").sheet_name, "Sheet1");
    }

    #[test]
    fn the_filter_range_is_also_a_hidden_defined_name() {
        let bytes = Workbook::new("Hồ sơ")
            .header(&["a", "b"])
            .row(&[Cell::Number(1.0), Cell::Number(2.0)])
            .to_bytes()
            .unwrap();
        let wb = entry(&unzip(&bytes), "xl/workbook.xml");
        assert!(
            wb.contains(r#"hidden="1">'Hồ sơ'!$A$1:$B$2</definedName>"#),
            "{wb}"
        );
    }
}
