//! A report as an A4 PDF, drawn here in Rust with printpdf (no external program): the
//! commission's title, the unit, the period and the generation time; headline figure tiles; bar
//! charts by month and by kind of case as vector rectangles with axis labels; then every table of
//! `domain::report::tables`, numbers right-aligned, long text wrapped, the header row repeated
//! after a page break; "Trang 1/3" at the foot of each page.
//!
//! Text is set in Be Vietnam Pro (SIL OFL, `server/fonts/`), embedded in the file, so every
//! Vietnamese diacritic prints; widths are measured from the same font's advances (ttf-parser),
//! which is what the PDF's glyph widths say, so alignment and wrapping hold.

use crate::http::Error;
use domain::format::{self, Lang};
use domain::report::{Cell, Compared, Report, Table, Word, header_lines, tables};
use printpdf::{
    Color, CustomPdfConformance, IndirectFontRef, Line, Mm, PdfConformance, PdfDocument,
    PdfDocumentReference, PdfLayerIndex, PdfLayerReference, PdfPageIndex, Point, Rect, Rgb,
};

const REGULAR_TTF: &[u8] = include_bytes!("../../fonts/BeVietnamPro_400Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../fonts/BeVietnamPro_600SemiBold.ttf");

/// A4 portrait, in millimetres.
const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN_X: f32 = 16.0;
const TOP: f32 = 16.0;
/// Room kept at the foot of each page for the page number.
const BOTTOM: f32 = 20.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Millimetres in a point.
const PT: f32 = 25.4 / 72.0;
/// Inner padding of a table cell.
const PAD: f32 = 1.4;

type Rgb3 = (f32, f32, f32);
const INK: Rgb3 = (0.11, 0.14, 0.20);
const MUTED: Rgb3 = (0.38, 0.43, 0.50);
const ACCENT: Rgb3 = (0.09, 0.29, 0.55);
const LAST_YEAR: Rgb3 = (0.66, 0.74, 0.84);
const RULE: Rgb3 = (0.80, 0.83, 0.87);
const STRIPE: Rgb3 = (0.955, 0.962, 0.975);
const HEADER_BG: Rgb3 = (0.89, 0.92, 0.96);
const TILE_BG: Rgb3 = (0.94, 0.955, 0.975);

fn color((r, g, b): Rgb3) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("drawing a report's PDF: {what}: {e}"))
}

/// A font face, measured.
struct Font {
    face: ttf_parser::Face<'static>,
    pdf: IndirectFontRef,
}

impl Font {
    /// The width of `s` at `size` points, in millimetres.
    fn width(&self, s: &str, size: f32) -> f32 {
        let upem = f32::from(self.face.units_per_em().max(1));
        let units: u32 = s
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(0, u32::from)
            })
            .sum();
        units as f32 / upem * size * PT
    }

    /// `s` broken into lines no wider than `max` millimetres at `size` (a word wider than a line
    /// is cut between characters).
    fn wrap(&self, s: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut cur = String::new();
        for word in s.split_whitespace() {
            let candidate = if cur.is_empty() {
                word.to_string()
            } else {
                format!("{cur} {word}")
            };
            if self.width(&candidate, size) <= max {
                cur = candidate;
                continue;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            for ch in word.chars() {
                let mut next = cur.clone();
                next.push(ch);
                if !cur.is_empty() && self.width(&next, size) > max {
                    lines.push(std::mem::replace(&mut cur, ch.to_string()));
                } else {
                    cur = next;
                }
            }
        }
        if !cur.is_empty() || lines.is_empty() {
            lines.push(cur);
        }
        lines
    }
}

/// The document being drawn: fonts, pages, and where the next thing goes (`y`, millimetres from
/// the top of the current page).
struct Writer {
    doc: PdfDocumentReference,
    regular: Font,
    bold: Font,
    pages: Vec<(PdfPageIndex, PdfLayerIndex)>,
    y: f32,
}

/// The height of a line of text at `size` points, in millimetres.
fn line_h(size: f32) -> f32 {
    size * 1.32 * PT
}

impl Writer {
    fn new(title: &str) -> Result<Writer, Error> {
        let (doc, page, layer) = PdfDocument::new(title, Mm(PAGE_W), Mm(PAGE_H), "report");
        // No ICC profile or XMP packet: a plain PDF that any viewer reads, a third the size.
        let doc = doc.with_conformance(PdfConformance::Custom(CustomPdfConformance {
            requires_icc_profile: false,
            requires_xmp_metadata: false,
            ..Default::default()
        }));
        let load = |bytes: &'static [u8], name: &str| -> Result<Font, Error> {
            let face = ttf_parser::Face::parse(bytes, 0).map_err(|e| internal(name, e))?;
            let pdf = doc
                .add_external_font(std::io::Cursor::new(bytes))
                .map_err(|e| internal(name, e))?;
            Ok(Font { face, pdf })
        };
        let regular = load(REGULAR_TTF, "the regular font")?;
        let bold = load(BOLD_TTF, "the semibold font")?;
        Ok(Writer {
            doc,
            regular,
            bold,
            pages: vec![(page, layer)],
            y: TOP,
        })
    }

    fn layer_of(&self, i: usize) -> Option<PdfLayerReference> {
        let (p, l) = *self.pages.get(i)?;
        Some(self.doc.get_page(p).get_layer(l))
    }

    fn layer(&self) -> Option<PdfLayerReference> {
        self.layer_of(self.pages.len().saturating_sub(1))
    }

    fn new_page(&mut self) {
        let (p, l) = self.doc.add_page(Mm(PAGE_W), Mm(PAGE_H), "report");
        self.pages.push((p, l));
        self.y = TOP;
    }

    /// Starts a new page unless `h` millimetres still fit on this one.
    fn ensure(&mut self, h: f32) {
        if self.y + h > PAGE_H - BOTTOM {
            self.new_page();
        }
    }

    fn font(&self, bold: bool) -> &Font {
        if bold { &self.bold } else { &self.regular }
    }

    /// Text with its baseline `base` millimetres from the top, starting at `x`.
    fn text(&self, x: f32, base: f32, s: &str, size: f32, bold: bool, rgb: Rgb3) {
        self.text_on(
            self.pages.len().saturating_sub(1),
            x,
            base,
            s,
            size,
            bold,
            rgb,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn text_on(&self, page: usize, x: f32, base: f32, s: &str, size: f32, bold: bool, rgb: Rgb3) {
        if s.is_empty() {
            return;
        }
        if let Some(layer) = self.layer_of(page) {
            layer.set_fill_color(color(rgb));
            layer.use_text(s, size, Mm(x), Mm(PAGE_H - base), &self.font(bold).pdf);
        }
    }

    /// Text ending at `right`.
    fn text_right(&self, right: f32, base: f32, s: &str, size: f32, bold: bool, rgb: Rgb3) {
        let w = self.font(bold).width(s, size);
        self.text(right - w, base, s, size, bold, rgb);
    }

    /// Text centred on `mid`.
    fn text_centre(&self, mid: f32, base: f32, s: &str, size: f32, bold: bool, rgb: Rgb3) {
        let w = self.font(bold).width(s, size);
        self.text(mid - w / 2.0, base, s, size, bold, rgb);
    }

    /// A filled rectangle whose top-left corner is `top` millimetres from the page's top.
    fn rect(&self, x: f32, top: f32, w: f32, h: f32, rgb: Rgb3) {
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        if let Some(layer) = self.layer() {
            layer.set_fill_color(color(rgb));
            layer.add_rect(Rect::new(
                Mm(x),
                Mm(PAGE_H - top - h),
                Mm(x + w),
                Mm(PAGE_H - top),
            ));
        }
    }

    /// A line from `a` to `b` (millimetres, `y` from the top) on page `page`.
    fn rule_on(&self, page: usize, a: (f32, f32), b: (f32, f32), rgb: Rgb3, pt: f32) {
        let ((x1, y1), (x2, y2)) = (a, b);
        if let Some(layer) = self.layer_of(page) {
            layer.set_outline_color(color(rgb));
            layer.set_outline_thickness(pt);
            layer.add_line(Line {
                points: vec![
                    (Point::new(Mm(x1), Mm(PAGE_H - y1)), false),
                    (Point::new(Mm(x2), Mm(PAGE_H - y2)), false),
                ],
                is_closed: false,
            });
        }
    }

    fn rule(&self, x1: f32, y1: f32, x2: f32, y2: f32, rgb: Rgb3, pt: f32) {
        let page = self.pages.len().saturating_sub(1);
        self.rule_on(page, (x1, y1), (x2, y2), rgb, pt);
    }

    /// A section's heading, kept on the page with `keep` millimetres of what follows it.
    fn heading(&mut self, s: &str, keep: f32) {
        let size = 10.5;
        let lines = self.bold.wrap(s, size, CONTENT_W);
        let h = lines.len() as f32 * line_h(size) + 2.0;
        self.ensure(h + keep);
        for l in &lines {
            self.y += line_h(size);
            self.text(MARGIN_X, self.y - 0.9, l, size, true, ACCENT);
        }
        self.y += 2.0;
    }
}

fn header(w: &mut Writer, r: &Report, lang: Lang) {
    let commission = Word::Commission.text(lang).to_uppercase();
    w.y += line_h(9.0);
    w.text(MARGIN_X, w.y, &commission, 9.0, true, ACCENT);
    w.y += 2.2;
    w.rule(MARGIN_X, w.y, PAGE_W - MARGIN_X, w.y, ACCENT, 1.2);
    w.y += 3.0;
    for l in w.bold.wrap(Word::Title.text(lang), 15.0, CONTENT_W) {
        w.y += line_h(15.0);
        w.text(MARGIN_X, w.y - 1.0, &l, 15.0, true, INK);
    }
    w.y += 2.5;
    let label_w = 40.0;
    for (word, value) in header_lines(r, lang) {
        let lines = w.regular.wrap(&value, 9.0, CONTENT_W - label_w);
        for (i, l) in lines.iter().enumerate() {
            w.y += line_h(9.0);
            if i == 0 {
                w.text(MARGIN_X, w.y, word.text(lang), 9.0, true, MUTED);
            }
            w.text(MARGIN_X + label_w, w.y, l, 9.0, false, INK);
        }
    }
    w.y += 5.0;
}

fn tiles(w: &mut Writer, r: &Report, lang: Lang) {
    let tiles = r.headline.tiles();
    let (cols, gap, h) = (3usize, 4.0, 23.0);
    let tw = (CONTENT_W - gap * (cols as f32 - 1.0)) / cols as f32;
    let rows = tiles.len().div_ceil(cols);
    w.ensure(rows as f32 * (h + gap));
    for (i, (word, c)) in tiles.iter().enumerate() {
        let x = MARGIN_X + (i % cols) as f32 * (tw + gap);
        let top = w.y + (i / cols) as f32 * (h + gap);
        tile(w, x, top, tw, h, word.text(lang), c, lang);
    }
    w.y += rows as f32 * (h + gap) + 2.0;
}

#[allow(clippy::too_many_arguments)]
fn tile(w: &Writer, x: f32, top: f32, tw: f32, h: f32, label: &str, c: &Compared, lang: Lang) {
    w.rect(x, top, tw, h, TILE_BG);
    w.rect(x, top, 1.2, h, ACCENT);
    let inner = x + 4.0;
    let label = w
        .regular
        .wrap(label, 8.0, tw - 6.0)
        .into_iter()
        .next()
        .unwrap_or_default();
    w.text(inner, top + 5.0, &label, 8.0, false, MUTED);
    w.text(
        inner,
        top + 13.5,
        &format::integer(c.current, lang),
        17.0,
        true,
        INK,
    );
    let change = c
        .change_pct()
        .map_or("–".to_string(), |p| format::change_pct(p, lang));
    let last = format!(
        "{}: {} · {change}",
        Word::LastYear.text(lang),
        format::integer(c.previous, lang)
    );
    let last = w
        .regular
        .wrap(&last, 7.0, tw - 6.0)
        .into_iter()
        .next()
        .unwrap_or_default();
    w.text(inner, top + 19.5, &last, 7.0, false, MUTED);
}

/// The legend: a swatch and a word for this period and for last year, ending at the right margin.
fn legend(w: &Writer, base: f32, lang: Lang) {
    let mut x = PAGE_W - MARGIN_X;
    for (word, rgb) in [(Word::LastYear, LAST_YEAR), (Word::ThisPeriod, ACCENT)] {
        let s = word.text(lang);
        x -= w.regular.width(s, 7.5);
        w.text(x, base, s, 7.5, false, MUTED);
        x -= 4.2;
        w.rect(x, base - 2.6, 3.0, 3.0, rgb);
        x -= 5.0;
    }
}

/// Bars by month: this period against the same month last year, with a value axis.
fn chart_by_month(w: &mut Writer, r: &Report, lang: Lang) {
    let h = 58.0;
    w.heading(Word::ByMonth.text(lang), h);
    legend(w, w.y - 2.0, lang);
    let top = w.y + 2.0;
    let axis_w = 13.0;
    let (px, pw) = (MARGIN_X + axis_w, CONTENT_W - axis_w);
    let ph = h - 14.0;
    let max = r
        .by_month
        .iter()
        .map(|m| m.opened.max(m.opened_last_year))
        .max()
        .unwrap_or(0);
    let top_v = domain::report::axis_top(max);
    for i in 0..=4 {
        let v = top_v * i / 4;
        let y = top + ph - ph * i as f32 / 4.0;
        w.rule(px, y, px + pw, y, RULE, 0.4);
        w.text_right(
            px - 1.5,
            y + 1.0,
            &format::integer(v, lang),
            7.0,
            false,
            MUTED,
        );
    }
    let n = r.by_month.len().max(1) as f32;
    let group = pw / n;
    let bar = (group * 0.32).min(14.0);
    for (i, m) in r.by_month.iter().enumerate() {
        let mid = px + group * (i as f32 + 0.5);
        let hc = ph * m.opened as f32 / top_v as f32;
        let hp = ph * m.opened_last_year as f32 / top_v as f32;
        w.rect(mid - bar - 0.3, top + ph - hc, bar, hc, ACCENT);
        w.rect(mid + 0.3, top + ph - hp, bar, hp, LAST_YEAR);
        let value = format::integer(m.opened, lang);
        if w.regular.width(&value, 6.5) <= group * 0.9 {
            w.text_centre(
                mid - bar / 2.0 - 0.3,
                top + ph - hc - 1.0,
                &value,
                6.5,
                false,
                INK,
            );
        }
        let label = m.month.format("%m/%Y").to_string();
        w.text_centre(mid, top + ph + 4.5, &label, 7.0, false, MUTED);
    }
    w.rule(px, top + ph, px + pw, top + ph, MUTED, 0.6);
    w.text(
        MARGIN_X,
        top + ph + 9.5,
        Word::Cases.text(lang),
        7.0,
        false,
        MUTED,
    );
    w.y = top + h - 2.0;
}

/// Horizontal bars by kind of case: this period against last year, with a value axis.
fn chart_by_kind(w: &mut Writer, r: &Report, lang: Lang) {
    let labels = super::labels();
    let row_h = 6.2;
    let h = r.by_kind.len() as f32 * row_h + 12.0;
    w.heading(Word::ByKind.text(lang), h);
    legend(w, w.y - 2.0, lang);
    let top = w.y + 1.5;
    let label_w = 66.0;
    let (px, pw) = (MARGIN_X + label_w, CONTENT_W - label_w - 12.0);
    let max = r
        .by_kind
        .iter()
        .map(|k| k.opened.current.max(k.opened.previous))
        .max()
        .unwrap_or(0);
    let top_v = domain::report::axis_top(max);
    let ph = r.by_kind.len() as f32 * row_h;
    for i in 0..=4 {
        let v = top_v * i / 4;
        let x = px + pw * i as f32 / 4.0;
        w.rule(x, top, x, top + ph, RULE, 0.4);
        w.text_centre(
            x,
            top + ph + 3.8,
            &format::integer(v, lang),
            7.0,
            false,
            MUTED,
        );
    }
    for (i, k) in r.by_kind.iter().enumerate() {
        let y = top + i as f32 * row_h;
        let label = (labels.kind)(k.kind, lang);
        let label = w
            .regular
            .wrap(label, 7.5, label_w - 3.0)
            .into_iter()
            .next()
            .unwrap_or_default();
        w.text(MARGIN_X, y + 3.9, &label, 7.5, false, INK);
        let wc = pw * k.opened.current as f32 / top_v as f32;
        let wp = pw * k.opened.previous as f32 / top_v as f32;
        w.rect(px, y + 1.0, wc, 2.5, ACCENT);
        w.rect(px, y + 3.7, wp, 1.6, LAST_YEAR);
        w.text(
            px + wc + 1.2,
            y + 3.4,
            &format::integer(k.opened.current, lang),
            6.5,
            false,
            INK,
        );
    }
    w.rule(px, top, px, top + ph, MUTED, 0.6);
    w.y = top + ph + 8.0;
}

/// The widths of a table's columns, in millimetres.
fn column_widths(t: &Table) -> Vec<f32> {
    let total: f32 = t.columns.iter().map(|c| c.weight.max(0.1)).sum();
    t.columns
        .iter()
        .map(|c| CONTENT_W * c.weight.max(0.1) / total)
        .collect()
}

const TABLE_SIZE: f32 = 7.6;

/// Draws the header row at `w.y`; answers its height.
fn table_header(w: &mut Writer, t: &Table, widths: &[f32]) -> f32 {
    // A column title whose longest word is wider than the column is set smaller rather than cut
    // inside the word.
    let sizes: Vec<f32> = t
        .columns
        .iter()
        .zip(widths)
        .map(|(c, cw)| {
            let widest = c
                .title
                .split_whitespace()
                .map(|word| w.bold.width(word, TABLE_SIZE))
                .fold(0.0, f32::max);
            let room = cw - 2.0 * PAD;
            if widest > room && widest > 0.0 {
                (TABLE_SIZE * room / widest).max(5.5)
            } else {
                TABLE_SIZE
            }
        })
        .collect();
    let cells: Vec<Vec<String>> = t
        .columns
        .iter()
        .zip(widths)
        .zip(&sizes)
        .map(|((c, cw), size)| w.bold.wrap(&c.title, *size, cw - 2.0 * PAD))
        .collect();
    let n = cells.iter().map(Vec::len).max().unwrap_or(1) as f32;
    let h = n * line_h(TABLE_SIZE) + 2.0 * PAD;
    w.rect(MARGIN_X, w.y, CONTENT_W, h, HEADER_BG);
    let mut x = MARGIN_X;
    for (((c, lines), cw), size) in t.columns.iter().zip(&cells).zip(widths).zip(&sizes) {
        for (i, l) in lines.iter().enumerate() {
            let base = w.y + PAD + line_h(TABLE_SIZE) * (i as f32 + 1.0) - 0.7;
            if c.numeric {
                w.text_right(x + cw - PAD, base, l, *size, true, INK);
            } else {
                w.text(x + PAD, base, l, *size, true, INK);
            }
        }
        x += cw;
    }
    w.y += h;
    h
}

fn table(w: &mut Writer, t: &Table, lang: Lang) {
    let widths = column_widths(t);
    // The title, the header and a first row stay together.
    w.heading(&t.title, 16.0);
    table_header(w, t, &widths);
    if t.rows.is_empty() {
        let h = line_h(TABLE_SIZE) + 2.0 * PAD;
        w.text(
            MARGIN_X + PAD,
            w.y + PAD + line_h(TABLE_SIZE) - 0.7,
            Word::None.text(lang),
            TABLE_SIZE,
            false,
            MUTED,
        );
        w.y += h;
    }
    for (ri, row) in t.rows.iter().enumerate() {
        let cells: Vec<Vec<String>> = row
            .iter()
            .zip(&widths)
            .map(|(c, cw)| match c {
                Cell::Text(s) => w.regular.wrap(s, TABLE_SIZE, cw - 2.0 * PAD),
                other => vec![other.display(lang)],
            })
            .collect();
        let n = cells.iter().map(Vec::len).max().unwrap_or(1) as f32;
        let h = n * line_h(TABLE_SIZE) + 2.0 * PAD;
        if w.y + h > PAGE_H - BOTTOM {
            // A row is never cut: it goes to the next page, under the header again.
            w.new_page();
            table_header(w, t, &widths);
        }
        if ri % 2 == 1 {
            w.rect(MARGIN_X, w.y, CONTENT_W, h, STRIPE);
        }
        let mut x = MARGIN_X;
        for ((col, lines), cw) in t.columns.iter().zip(&cells).zip(&widths) {
            for (i, l) in lines.iter().enumerate() {
                let base = w.y + PAD + line_h(TABLE_SIZE) * (i as f32 + 1.0) - 0.7;
                // The column decides, so a "–" or a range lines up with the numbers above it.
                if col.numeric {
                    w.text_right(x + cw - PAD, base, l, TABLE_SIZE, false, INK);
                } else {
                    w.text(x + PAD, base, l, TABLE_SIZE, false, INK);
                }
            }
            x += cw;
        }
        w.y += h;
        w.rule(MARGIN_X, w.y, PAGE_W - MARGIN_X, w.y, RULE, 0.3);
    }
    w.y += 6.0;
}

/// The foot of every page: what the report is, and "Trang i/N".
fn footers(w: &Writer, r: &Report, lang: Lang) {
    let n = w.pages.len();
    let what = format!(
        "{} · {} · {}",
        Word::Commission.text(lang),
        r.unit_name,
        r.period.label(lang)
    );
    let base = PAGE_H - 10.0;
    for i in 0..n {
        w.rule_on(
            i,
            (MARGIN_X, base - 4.0),
            (PAGE_W - MARGIN_X, base - 4.0),
            RULE,
            0.5,
        );
        w.text_on(i, MARGIN_X, base, &what, 7.5, false, MUTED);
        let page = format!("{} {}/{}", Word::Page.text(lang), i + 1, n);
        let pw = w.regular.width(&page, 7.5);
        w.text_on(i, PAGE_W - MARGIN_X - pw, base, &page, 7.5, false, MUTED);
    }
}

/// The PDF file of `report` in `lang`.
pub fn render(report: &Report, lang: Lang) -> Result<Vec<u8>, Error> {
    let title = format!(
        "{} – {} – {}",
        Word::Title.text(lang),
        report.unit_name,
        report.period.label(lang)
    );
    let mut w = Writer::new(&title)?;
    header(&mut w, report, lang);
    tiles(&mut w, report, lang);
    chart_by_month(&mut w, report, lang);
    chart_by_kind(&mut w, report, lang);
    for t in tables(report, lang, &super::labels()) {
        table(&mut w, &t, lang);
    }
    footers(&w, report, lang);
    let Writer {
        doc, regular, bold, ..
    } = w;
    drop((regular, bold));
    doc.save_to_bytes().map_err(|e| internal("saving", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_every_vietnamese_letter_the_report_uses() {
        let face = ttf_parser::Face::parse(REGULAR_TTF, 0).unwrap();
        for c in
            "ỦY BAN KIỂM TRA Báo cáo công tác kiểm tra, giám sát và thi hành kỷ luật – −·…ẵặđĐưƯơỡ"
                .chars()
                .filter(|c| !c.is_whitespace())
        {
            assert!(face.glyph_index(c).is_some(), "missing {c}");
        }
    }

    /// A report with odd text: characters the font lacks, a word longer than any column, a
    /// decomposed (NFD) name, and many rows.
    fn odd_report() -> Report {
        let long = "x".repeat(400);
        let children: Vec<serde_json::Value> = (0..150)
            .map(|i| serde_json::json!({"code": format!("{i:05}"), "name": format!("Xã thử {i} 🏛 {long}"),
                "cases": {"current": i, "previous": 0}, "inspections": 1, "supervisions": 2,
                "violations": 3, "disciplines": 4}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "unit": "01", "unit_name": "Thành phố Hà Nội \u{1F600} Hà Nội", "level": "province",
            "period": "2026-Q3", "from": "2026-07-01", "to": "2026-09-30",
            "previous_from": "2025-07-01", "previous_to": "2025-09-30", "as_of": "2026-09-30",
            "generated_at": "not a time",
            "headline": serde_json::to_value(domain::report::Headline::default()).unwrap(),
            "by_kind": [], "by_sector": [], "by_child": children, "by_month": [],
            "directives": [], "alerts": {"raised": [], "open_at_end": 0, "top_open": []},
            "targets": []
        }))
        .unwrap()
    }

    #[test]
    fn odd_text_and_many_rows_still_make_a_pdf() {
        let pdf = render(&odd_report(), Lang::Vi).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        assert!(doc.get_pages().len() > 5);
    }

    #[test]
    fn text_wraps_within_its_width() {
        let face = ttf_parser::Face::parse(REGULAR_TTF, 0).unwrap();
        let (doc, _, _) = PdfDocument::new("t", Mm(PAGE_W), Mm(PAGE_H), "l");
        let pdf = doc
            .add_external_font(std::io::Cursor::new(REGULAR_TTF))
            .unwrap();
        let f = Font { face, pdf };
        let s = "Tiến độ thực hiện nghị quyết, chỉ thị, kết luận của Trung ương";
        let lines = f.wrap(s, 8.0, 30.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| f.width(l, 8.0) <= 30.0));
        assert_eq!(lines.join(" "), s);
        assert!(f.width("1.234", 8.0) > f.width("1", 8.0));
    }
}
