//! A report as one CSV file holding every table, for spreadsheets.
//!
//! Layout (docs/ARCHITECTURE.md, "Reports"): UTF-8 with a byte order mark (so that Excel reads
//! Vietnamese), comma-separated, CRLF line ends. First the header lines (`title`, then `word,value`
//! pairs: unit, period, compared with, generated at); then each table of `domain::report::tables`,
//! in their order, after one blank line: a row with the table's title alone, its column titles,
//! its rows. Counts are plain digits (`1234`, no grouping) so that they stay numbers; shares and
//! changes are written as the report shows them (`12,5%` in Vietnamese).

use domain::format::Lang;
use domain::report::{Cell, Report, Word, header_lines, tables};

/// The byte order mark that tells Excel the file is UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

fn cell(c: &Cell, lang: Lang) -> String {
    match c {
        Cell::Int(n) => n.to_string(),
        other => other.display(lang),
    }
}

/// One field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The CSV file of `report` in `lang`.
pub fn render(report: &Report, lang: Lang) -> Vec<u8> {
    let mut out = String::new();
    let mut line = |fields: &[String]| {
        let row: Vec<String> = fields.iter().map(|f| field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    };
    line(&[Word::Title.text(lang).to_string()]);
    for (word, value) in header_lines(report, lang) {
        line(&[word.text(lang).to_string(), value]);
    }
    for t in tables(report, lang, &super::labels()) {
        line(&[]);
        line(std::slice::from_ref(&t.title));
        line(
            &t.columns
                .iter()
                .map(|c| c.title.clone())
                .collect::<Vec<_>>(),
        );
        for row in &t.rows {
            line(&row.iter().map(|c| cell(c, lang)).collect::<Vec<_>>());
        }
    }
    let mut bytes = BOM.to_vec();
    bytes.extend_from_slice(out.as_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("Hà Nội"), "Hà Nội");
        assert_eq!(field("Tài chính, ngân sách"), "\"Tài chính, ngân sách\"");
        assert_eq!(field("a \"b\""), "\"a \"\"b\"\"\"");
    }
}
