//! A report as an Excel workbook (rust_xlsxwriter): a first sheet "Tổng hợp" ("Summary") with the
//! headline figures and what the report is about, then one sheet per other table of
//! `domain::report::tables`. Row 1 of each sheet is its bold, frozen column titles; counts are
//! numbers, shares and changes numbers with a percent format; column widths fit the content.

use crate::http::Error;
use domain::format::Lang;
use domain::report::{Cell, Report, Table, Word, header_lines, tables};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// Excel's limit on a sheet name's length.
const SHEET_NAME_MAX: usize = 31;

fn internal(e: XlsxError) -> Error {
    Error::Internal(anyhow::anyhow!("writing a report's XLSX: {e}"))
}

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, unique in the workbook.
fn sheet_name(title: &str, taken: &mut Vec<String>) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .collect();
    let mut base: String = clean.trim().chars().take(SHEET_NAME_MAX).collect();
    base = base.trim_end().to_string();
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" {n}");
        let keep = SHEET_NAME_MAX.saturating_sub(suffix.chars().count());
        name = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        n += 1;
    }
    taken.push(name.clone());
    name
}

struct Formats {
    header: Format,
    title: Format,
    share: Format,
    change: Format,
    integer: Format,
}

/// Writes `table` with its column titles in row `at`; answers the row after it.
fn write_table(
    ws: &mut Worksheet,
    table: &Table,
    at: u32,
    f: &Formats,
    lang: Lang,
) -> Result<u32, XlsxError> {
    let mut widths: Vec<usize> = table
        .columns
        .iter()
        .map(|c| c.title.chars().count())
        .collect();
    for (j, c) in table.columns.iter().enumerate() {
        ws.write_string_with_format(at, j as u16, &c.title, &f.header)?;
    }
    let mut row = at + 1;
    for cells in &table.rows {
        for (j, cell) in cells.iter().enumerate() {
            let col = j as u16;
            match cell {
                Cell::Int(n) => {
                    ws.write_number_with_format(row, col, *n as f64, &f.integer)?;
                }
                Cell::Share(Some(s)) if s.is_finite() => {
                    ws.write_number_with_format(row, col, *s, &f.share)?;
                }
                Cell::Change(Some(c)) if c.is_finite() => {
                    ws.write_number_with_format(row, col, *c / 100.0, &f.change)?;
                }
                other => {
                    ws.write_string(row, col, other.display(lang))?;
                }
            }
            if let Some(w) = widths.get_mut(j) {
                *w = (*w).max(cell.display(lang).chars().count());
            }
        }
        row += 1;
    }
    for (j, w) in widths.iter().enumerate() {
        ws.set_column_width(j as u16, (*w).clamp(8, 60) as f64 + 2.0)?;
    }
    Ok(row)
}

fn build(report: &Report, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        header: Format::new().set_bold(),
        title: Format::new().set_bold().set_font_size(13),
        share: Format::new().set_num_format("0.0%"),
        change: Format::new().set_num_format("+0.0%;-0.0%;0.0%"),
        integer: Format::new().set_num_format("#,##0"),
    };
    let mut wb = Workbook::new();
    let mut taken = Vec::new();
    let all = tables(report, lang, &super::labels());
    let (headline, rest): (Vec<&Table>, Vec<&Table>) =
        all.iter().partition(|t| t.key == "headline");

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(Word::Summary.text(lang), &mut taken))?;
    let mut row = 0;
    if let Some(h) = headline.first() {
        row = write_table(ws, h, 0, &f, lang)?;
    }
    ws.set_freeze_panes(1, 0)?;
    row += 1;
    ws.write_string_with_format(row, 0, Word::Title.text(lang), &f.title)?;
    for (word, value) in header_lines(report, lang) {
        row += 1;
        ws.write_string_with_format(row, 0, word.text(lang), &f.header)?;
        ws.write_string(row, 1, value)?;
    }

    for t in rest {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.title, &mut taken))?;
        write_table(ws, t, 0, &f, lang)?;
        ws.set_freeze_panes(1, 0)?;
    }
    wb.save_to_buffer()
}

/// The XLSX file of `report` in `lang`.
pub fn render(report: &Report, lang: Lang) -> Result<Vec<u8>, Error> {
    build(report, lang).map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::sheet_name;

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let mut taken = Vec::new();
        let a = sheet_name(
            "Tiến độ thực hiện nghị quyết, chỉ thị, kết luận",
            &mut taken,
        );
        assert_eq!(a.chars().count(), 31);
        let b = sheet_name(
            "Tiến độ thực hiện nghị quyết, chỉ thị, kết luận",
            &mut taken,
        );
        assert_ne!(a, b);
        assert!(b.ends_with(" 2"));
        assert_eq!(sheet_name("a/b:c", &mut taken), "abc");
    }
}
