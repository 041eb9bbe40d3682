//! PostgreSQL `COPY ... FROM STDIN` text format for the generated rows (tab-separated, `\N` for
//! NULL, backslash escapes), and the column lists that go with each table. Pure.

use super::anomalies::PlantedAnomaly;
use super::directives::{Report, Task};
use super::generate::{Case, Member, Plan, Target};
use super::units::Unit;
use chrono::{NaiveDate, NaiveDateTime};
use std::fmt::Write as _;

/// The COPY statements, with the columns in the order the encoders write them.
pub const COPY_UNIT: &str = "COPY seed_unit (code, name, level, parent, path, province, lat, lon, area_km2, members) FROM STDIN";
pub const COPY_MEMBER: &str =
    "COPY member (ref, unit, path, province, born_year, gender, joined_year, position) FROM STDIN";
pub const COPY_CASES: &str = "COPY cases (id, source, external_id, kind, theme, conducting_unit, subject_type, \
     subject_unit, subject_ref, path, province, sector, status, opened_on, due_on, concluded_on, violation, \
     violation_categories, amount_vnd, discipline_form, discipline_decided_on, lat, lon, procedure, created_at, \
     updated_at, written_by) FROM STDIN";
pub const COPY_CASE_STEP: &str =
    "COPY case_step (case_id, ord, started_on, due_on, done_on) FROM STDIN";
pub const COPY_TASK: &str = "COPY task (id, directive, parent_task, unit, path, province, title, assigned_on, \
     due_on, progress, status, done_on, source, external_id, updated_at) FROM STDIN";
pub const COPY_TASK_REPORT: &str =
    "COPY task_report (task, reported_on, progress, note) FROM STDIN";
pub const COPY_TARGET: &str =
    "COPY target (unit, path, province, year, measure, sector, planned, source) FROM STDIN";

/// Who wrote the generated cases.
pub const WRITTEN_BY: &str = "seed";

/// A buffer of COPY text rows.
#[derive(Default)]
pub struct CopyBuf {
    pub bytes: Vec<u8>,
    pub rows: u64,
    at_row_start: bool,
}

impl CopyBuf {
    pub fn new() -> CopyBuf {
        CopyBuf {
            bytes: Vec::with_capacity(1 << 16),
            rows: 0,
            at_row_start: true,
        }
    }

    fn sep(&mut self) {
        if !self.at_row_start {
            self.bytes.push(b'\t');
        }
        self.at_row_start = false;
    }

    /// A text field, escaped.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        for b in s.bytes() {
            match b {
                b'\\' => self.bytes.extend_from_slice(b"\\\\"),
                b'\t' => self.bytes.extend_from_slice(b"\\t"),
                b'\n' => self.bytes.extend_from_slice(b"\\n"),
                b'\r' => self.bytes.extend_from_slice(b"\\r"),
                _ => self.bytes.push(b),
            }
        }
        self
    }

    /// A field that needs no escaping (numbers, dates, plain words).
    pub fn raw(&mut self, v: impl std::fmt::Display) -> &mut Self {
        self.sep();
        // Writing to a Vec<u8> through fmt cannot fail.
        let mut s = String::new();
        let _ = write!(s, "{v}");
        self.bytes.extend_from_slice(s.as_bytes());
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.bytes.extend_from_slice(b"\\N");
        self
    }

    pub fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    pub fn opt_raw<T: std::fmt::Display>(&mut self, v: Option<T>) -> &mut Self {
        match v {
            Some(v) => self.raw(v),
            None => self.null(),
        }
    }

    pub fn date(&mut self, d: NaiveDate) -> &mut Self {
        self.raw(d.format("%Y-%m-%d"))
    }

    pub fn opt_date(&mut self, d: Option<NaiveDate>) -> &mut Self {
        match d {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }

    /// A local time of UTC+7 as a timestamptz literal.
    pub fn local_time(&mut self, t: NaiveDateTime) -> &mut Self {
        self.raw(t.format("%Y-%m-%d %H:%M:%S+07"))
    }

    /// Ends the row.
    pub fn end(&mut self) {
        self.bytes.push(b'\n');
        self.at_row_start = true;
        self.rows += 1;
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

fn coord(x: f64) -> String {
    format!("{x:.5}")
}

/// A unit row (into the staging table `seed_unit`).
pub fn unit(buf: &mut CopyBuf, plan: &Plan, u: &Unit) {
    let h = &plan.h;
    buf.text(&u.code)
        .text(&u.name)
        .raw(u.level.as_str())
        .opt_text(u.parent.map(|p| h.units[p as usize].code.as_str()))
        .text(&u.path)
        .opt_text(u.province.map(|p| h.provinces[p as usize].code.as_str()))
        .raw(coord(u.lat))
        .raw(coord(u.lon))
        .opt_raw(u.area_km2)
        .raw(u.members);
    buf.end();
}

/// A member row.
pub fn member(buf: &mut CopyBuf, plan: &Plan, m: &Member) {
    let u = &plan.h.units[m.unit as usize];
    buf.text(&m.reference)
        .text(&u.code)
        .text(&u.path)
        .opt_text(
            u.province
                .map(|p| plan.h.provinces[p as usize].code.as_str()),
        )
        .raw(m.born_year)
        .raw(m.gender)
        .raw(m.joined_year)
        .text(m.position);
    buf.end();
}

/// A case row.
pub fn case(buf: &mut CopyBuf, plan: &Plan, c: &Case) {
    let h = &plan.h;
    let subject = &h.units[c.subject_unit as usize];
    let mut categories = String::from("{");
    for (i, cat) in c.category_list().enumerate() {
        if i > 0 {
            categories.push(',');
        }
        categories.push_str(cat.as_str());
    }
    categories.push('}');
    buf.raw(c.id)
        .text(&plan.sources[c.source as usize].code)
        .text(&c.external_id)
        .raw(c.kind.as_str())
        .opt_text(c.theme.map(|t| plan.themes[t as usize].text.as_str()))
        .text(&h.units[c.conducting as usize].code)
        .raw(c.subject_type.as_str())
        .text(&subject.code)
        .opt_text(c.subject_ref.as_deref())
        .text(&subject.path)
        .opt_text(
            subject
                .province
                .map(|p| h.provinces[p as usize].code.as_str()),
        )
        .raw(c.sector.as_str())
        .raw(c.status.as_str())
        .date(c.opened_on)
        .date(c.due_on)
        .opt_date(c.concluded_on)
        .opt_raw(c.violation.map(|v| if v { "t" } else { "f" }))
        .raw(categories)
        .opt_raw(c.amount_vnd)
        .opt_raw(c.discipline.map(|d| d.0.as_str()))
        .opt_date(c.discipline.map(|d| d.1))
        .raw(coord(c.lat))
        .raw(coord(c.lon))
        .raw(c.procedure())
        .local_time(c.created_at)
        .local_time(c.updated_at)
        .raw(WRITTEN_BY);
    buf.end();
}

/// The step rows of a case.
pub fn case_steps(buf: &mut CopyBuf, c: &Case) {
    for s in &c.steps {
        buf.raw(c.id)
            .raw(s.ord)
            .date(s.started_on)
            .date(s.due_on)
            .opt_date(s.done_on);
        buf.end();
    }
}

/// The step rows of a case, keyed by its source and external id (the ingest path gives ids).
pub fn case_steps_keyed(buf: &mut CopyBuf, plan: &Plan, c: &Case) {
    for s in &c.steps {
        buf.text(&plan.sources[c.source as usize].code)
            .text(&c.external_id)
            .raw(s.ord)
            .date(s.started_on)
            .date(s.due_on)
            .opt_date(s.done_on);
        buf.end();
    }
}

/// A generated case as the ingest path takes it (as if read from a batch and checked).
pub fn case_row(plan: &Plan, c: &Case) -> crate::ingest::validate::CaseRow {
    let h = &plan.h;
    let code = |u: u32| {
        domain::UnitCode::parse(&h.units[u as usize].code)
            .expect("the generator makes valid unit codes")
    };
    crate::ingest::validate::CaseRow {
        source: plan.sources[c.source as usize].code.clone(),
        external_id: c.external_id.clone(),
        kind: c.kind,
        theme: c.theme.map(|t| plan.themes[t as usize].text.clone()),
        conducting_unit: code(c.conducting),
        subject_type: c.subject_type,
        subject_unit: code(c.subject_unit),
        subject_ref: c.subject_ref.clone(),
        sector: c.sector,
        status: c.status,
        opened_on: c.opened_on,
        due_on: Some(c.due_on),
        concluded_on: c.concluded_on,
        violation: c.violation,
        violation_categories: c.category_list().collect(),
        amount_vnd: c.amount_vnd,
        discipline: c.discipline,
        // As the COPY path writes them: five decimals (about a metre).
        location: Some((
            coord(c.lat).parse().unwrap_or(c.lat),
            coord(c.lon).parse().unwrap_or(c.lon),
        )),
    }
}

/// A task row.
pub fn task(buf: &mut CopyBuf, plan: &Plan, directive_code: &str, t: &Task) {
    let u = &plan.h.units[t.unit as usize];
    buf.raw(t.id)
        .text(directive_code)
        .opt_raw(t.parent)
        .text(&u.code)
        .text(&u.path)
        .opt_text(
            u.province
                .map(|p| plan.h.provinces[p as usize].code.as_str()),
        )
        .text(&t.title)
        .date(t.assigned_on)
        .date(t.due_on)
        .raw(t.progress)
        .raw(t.status.as_str())
        .opt_date(t.done_on)
        .text(&plan.sources[t.source as usize].code)
        .text(&t.external_id)
        .local_time(t.updated_at);
    buf.end();
}

/// A task report row.
pub fn task_report(buf: &mut CopyBuf, r: &Report) {
    buf.raw(r.task)
        .date(r.reported_on)
        .raw(r.progress)
        .text(&r.note);
    buf.end();
}

/// A target row.
pub fn target(buf: &mut CopyBuf, plan: &Plan, t: &Target) {
    let u = &plan.h.units[t.unit as usize];
    buf.text(&u.code)
        .text(&u.path)
        .opt_text(
            u.province
                .map(|p| plan.h.provinces[p as usize].code.as_str()),
        )
        .raw(t.year)
        .raw(t.measure.as_str())
        .opt_raw(t.sector.map(|s| s.as_str()))
        .raw(t.planned)
        .text(&plan.sources[t.source as usize].code);
    buf.end();
}

/// A planted anomaly as text (for tests and logs): unit, measure, sector, month, factor.
pub fn anomaly_line(plan: &Plan, a: &PlantedAnomaly) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{:.4}",
        plan.code(a.unit),
        a.measure.as_str(),
        a.sector.map(|s| s.as_str()).unwrap_or("-"),
        a.month,
        a.factor
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_escaped() {
        let mut b = CopyBuf::new();
        b.text("a\tb\\c\nd").null().raw(3);
        b.end();
        assert_eq!(
            String::from_utf8(b.bytes).unwrap(),
            "a\\tb\\\\c\\nd\t\\N\t3\n"
        );
        assert_eq!(b.rows, 1);
    }
}
