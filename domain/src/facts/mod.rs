//! The case facts the analyst workspace filters on the client: a columnar table in typed columns
//! (24 bytes a row), its compact binary encoding for the wire (`GET /api/v1/facts`), and a
//! crossfilter-style [`Engine`] that keeps every linked view's counts up to date incrementally.
//!
//! Per row: the opening day (days since 2000-01-01), kind, sector, status, subject type,
//! discipline form (0 none, else index + 1), violation categories (bit i = `ViolationCategory::ALL[i]`),
//! province and commune (indexes into the dictionaries carried with the table), the location
//! quantized to 16 bits over the box lat 8..24, lon 102..118 (about 27 m a step), the money
//! involved in millions of đồng, and the case id.

mod codec;
mod engine;
pub mod space;
pub mod synth;
pub mod table;

#[cfg(test)]
mod tests;

pub use codec::{MAGIC, VERSION, decode, encode};
pub use engine::{
    AreaFigures, Dimension, Engine, Filter, FilterError, PackedFacts, Views, point_in_polygon,
};
pub use space::{within_polygon, within_radius};

use crate::vocab::{CaseKind, CaseStatus, DisciplineForm, Sector, SubjectType, ViolationCategory};
use chrono::NaiveDate;

/// South edge of the quantization box, degrees.
pub const LAT_MIN: f64 = 8.0;
/// North edge of the quantization box, degrees.
pub const LAT_MAX: f64 = 24.0;
/// West edge of the quantization box, degrees.
pub const LON_MIN: f64 = 102.0;
/// East edge of the quantization box, degrees.
pub const LON_MAX: f64 = 118.0;
/// Province index of a row without a province.
pub const NO_PROVINCE: u8 = u8::MAX;
/// Commune index of a row without a commune.
pub const NO_COMMUNE: u16 = u16::MAX;
/// Bytes a row takes in memory, all columns together.
pub const ROW_BYTES: usize = 4 + 2 + 1 + 1 + 1 + 1 + 1 + 2 + 1 + 2 + 2 + 2 + 4;

/// Why a facts payload or table is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("not a facts payload (bad magic header)")]
    BadMagic,
    #[error("facts payload version {0} is not supported (expected {VERSION})")]
    UnsupportedVersion(u8),
    #[error("facts payload is truncated in {0}")]
    Truncated(&'static str),
    #[error("facts column {column}: {reason}")]
    Invalid {
        column: &'static str,
        reason: String,
    },
    #[error("facts payload has {0} bytes after its end")]
    TrailingBytes(usize),
}

impl FactsError {
    fn invalid(column: &'static str, reason: impl Into<String>) -> FactsError {
        FactsError::Invalid {
            column,
            reason: reason.into(),
        }
    }
}

/// The first day of the day numbers.
pub fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

/// Day number of a date (days since 2000-01-01), clamped to the u16 range.
pub fn day_number(date: NaiveDate) -> u16 {
    (date - epoch()).num_days().clamp(0, u16::MAX as i64) as u16
}

/// The date of a day number.
pub fn date_of(day: u16) -> NaiveDate {
    epoch() + chrono::Duration::days(day as i64)
}

/// Latitude quantized to 16 bits over [`LAT_MIN`]..[`LAT_MAX`] (clamped).
pub fn quantize_lat(lat: f64) -> u16 {
    quantize(lat, LAT_MIN, LAT_MAX)
}

/// Longitude quantized to 16 bits over [`LON_MIN`]..[`LON_MAX`] (clamped).
pub fn quantize_lon(lon: f64) -> u16 {
    quantize(lon, LON_MIN, LON_MAX)
}

fn quantize(v: f64, lo: f64, hi: f64) -> u16 {
    // `as` saturates and maps NaN to 0.
    ((v - lo) / (hi - lo) * 65535.0).round().clamp(0.0, 65535.0) as u16
}

/// The latitude a quantized value stands for.
pub fn lat_of(q: u16) -> f64 {
    LAT_MIN + q as f64 * ((LAT_MAX - LAT_MIN) / 65535.0)
}

/// The longitude a quantized value stands for.
pub fn lon_of(q: u16) -> f64 {
    LON_MIN + q as f64 * ((LON_MAX - LON_MIN) / 65535.0)
}

/// An amount in đồng as whole millions (rounded to nearest, saturating; none or negative is 0).
pub fn amount_millions(vnd: Option<i64>) -> u32 {
    match vnd {
        Some(v) if v > 0 => ((v as u64 + 500_000) / 1_000_000).min(u32::MAX as u64) as u32,
        _ => 0,
    }
}

/// The discipline column's value of a form (0 none, else index + 1).
pub fn discipline_value(form: Option<DisciplineForm>) -> u8 {
    form.map_or(0, |f| f.index() as u8 + 1)
}

/// The categories column's value of a list of categories.
pub fn category_mask<'a>(cats: impl IntoIterator<Item = &'a ViolationCategory>) -> u16 {
    cats.into_iter().fold(0, |m, c| m | 1 << c.index())
}

/// One row of the table, as plain numbers (see the module documentation for their meaning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FactRow {
    pub id: u32,
    pub day: u16,
    pub kind: u8,
    pub sector: u8,
    pub status: u8,
    pub subject: u8,
    pub discipline: u8,
    pub categories: u16,
    pub province: u8,
    pub commune: u16,
    pub lat: u16,
    pub lon: u16,
    pub amount: u32,
}

/// The fact table, one typed column per field, plus the province and commune dictionaries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Province codes; a row's `province` indexes this list ([`NO_PROVINCE`]: none).
    pub provinces: Vec<String>,
    /// Commune codes; a row's `commune` indexes this list ([`NO_COMMUNE`]: none).
    pub communes: Vec<String>,
    pub id: Vec<u32>,
    pub day: Vec<u16>,
    pub kind: Vec<u8>,
    pub sector: Vec<u8>,
    pub status: Vec<u8>,
    pub subject: Vec<u8>,
    pub discipline: Vec<u8>,
    pub categories: Vec<u16>,
    pub province: Vec<u8>,
    pub commune: Vec<u16>,
    pub lat: Vec<u16>,
    pub lon: Vec<u16>,
    pub amount: Vec<u32>,
}

/// Largest dictionary of provinces (index [`NO_PROVINCE`] is reserved).
pub const MAX_PROVINCES: usize = NO_PROVINCE as usize;
/// Largest dictionary of communes (index [`NO_COMMUNE`] is reserved).
pub const MAX_COMMUNES: usize = NO_COMMUNE as usize;

impl Facts {
    /// An empty table with room for `n` rows.
    pub fn with_capacity(n: usize) -> Facts {
        Facts {
            provinces: Vec::new(),
            communes: Vec::new(),
            id: Vec::with_capacity(n),
            day: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            sector: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            subject: Vec::with_capacity(n),
            discipline: Vec::with_capacity(n),
            categories: Vec::with_capacity(n),
            province: Vec::with_capacity(n),
            commune: Vec::with_capacity(n),
            lat: Vec::with_capacity(n),
            lon: Vec::with_capacity(n),
            amount: Vec::with_capacity(n),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Bytes the columns take in memory (without the dictionaries).
    pub fn memory_bytes(&self) -> usize {
        self.len() * ROW_BYTES
    }

    /// Appends a row (its values are checked by [`Facts::validate`], not here).
    pub fn push(&mut self, r: FactRow) {
        self.id.push(r.id);
        self.day.push(r.day);
        self.kind.push(r.kind);
        self.sector.push(r.sector);
        self.status.push(r.status);
        self.subject.push(r.subject);
        self.discipline.push(r.discipline);
        self.categories.push(r.categories);
        self.province.push(r.province);
        self.commune.push(r.commune);
        self.lat.push(r.lat);
        self.lon.push(r.lon);
        self.amount.push(r.amount);
    }

    /// Row `i`, or `None` past the end.
    pub fn row(&self, i: usize) -> Option<FactRow> {
        (i < self.len()).then(|| FactRow {
            id: self.id[i],
            day: self.day[i],
            kind: self.kind[i],
            sector: self.sector[i],
            status: self.status[i],
            subject: self.subject[i],
            discipline: self.discipline[i],
            categories: self.categories[i],
            province: self.province[i],
            commune: self.commune[i],
            lat: self.lat[i],
            lon: self.lon[i],
            amount: self.amount[i],
        })
    }

    /// The index of a province code, added to the dictionary if new ([`NO_PROVINCE`] when the
    /// dictionary is full or the code is `None`).
    pub fn province_index(&mut self, code: Option<&str>) -> u8 {
        let Some(code) = code else {
            return NO_PROVINCE;
        };
        if let Some(i) = self.provinces.iter().position(|p| p == code) {
            return i as u8;
        }
        if self.provinces.len() >= MAX_PROVINCES {
            return NO_PROVINCE;
        }
        self.provinces.push(code.to_string());
        (self.provinces.len() - 1) as u8
    }

    /// Checks that every column has the same length and every value is in its domain.
    pub fn validate(&self) -> Result<(), FactsError> {
        let n = self.len();
        let lens = [
            ("day", self.day.len()),
            ("kind", self.kind.len()),
            ("sector", self.sector.len()),
            ("status", self.status.len()),
            ("subject", self.subject.len()),
            ("discipline", self.discipline.len()),
            ("categories", self.categories.len()),
            ("province", self.province.len()),
            ("commune", self.commune.len()),
            ("lat", self.lat.len()),
            ("lon", self.lon.len()),
            ("amount", self.amount.len()),
        ];
        for (column, len) in lens {
            if len != n {
                return Err(FactsError::invalid(
                    column,
                    format!("has {len} values for {n} rows"),
                ));
            }
        }
        if self.provinces.len() > MAX_PROVINCES {
            return Err(FactsError::invalid("provinces", "too many codes"));
        }
        if self.communes.len() > MAX_COMMUNES {
            return Err(FactsError::invalid("communes", "too many codes"));
        }
        let below = |column: &'static str, values: &[u8], limit: usize| match values
            .iter()
            .position(|&v| v as usize >= limit)
        {
            Some(i) => Err(FactsError::invalid(
                column,
                format!("row {i}: value {} is not below {limit}", values[i]),
            )),
            None => Ok(()),
        };
        below("kind", &self.kind, CaseKind::ALL.len())?;
        below("sector", &self.sector, Sector::ALL.len())?;
        below("status", &self.status, CaseStatus::ALL.len())?;
        below("subject", &self.subject, SubjectType::ALL.len())?;
        below(
            "discipline",
            &self.discipline,
            DisciplineForm::ALL.len() + 1,
        )?;
        let all_cats = (1u16 << ViolationCategory::ALL.len()) - 1;
        if let Some(i) = self.categories.iter().position(|&c| c & !all_cats != 0) {
            return Err(FactsError::invalid(
                "categories",
                format!("row {i}: unknown category bits"),
            ));
        }
        let np = self.provinces.len();
        if let Some(i) = self
            .province
            .iter()
            .position(|&p| p != NO_PROVINCE && p as usize >= np)
        {
            return Err(FactsError::invalid(
                "province",
                format!("row {i}: index beyond the {np} codes"),
            ));
        }
        let nc = self.communes.len();
        if let Some(i) = self
            .commune
            .iter()
            .position(|&c| c != NO_COMMUNE && c as usize >= nc)
        {
            return Err(FactsError::invalid(
                "commune",
                format!("row {i}: index beyond the {nc} codes"),
            ));
        }
        Ok(())
    }
}

/// Builds a table row by row from typed values, interning province and commune codes.
#[derive(Debug, Default)]
pub struct FactsBuilder {
    facts: Facts,
    provinces: std::collections::HashMap<String, u8>,
    communes: std::collections::HashMap<String, u16>,
}

/// One case as the builder takes it.
#[derive(Debug, Clone, Copy)]
pub struct CaseFact<'a> {
    pub id: i64,
    pub opened_on: NaiveDate,
    pub kind: CaseKind,
    pub sector: Sector,
    pub status: CaseStatus,
    pub subject: SubjectType,
    pub discipline: Option<DisciplineForm>,
    /// Bit i = `ViolationCategory::ALL[i]` (see [`category_mask`]).
    pub categories: u16,
    pub province: Option<&'a str>,
    pub commune: Option<&'a str>,
    pub lat: f64,
    pub lon: f64,
    pub amount_vnd: Option<i64>,
}

impl FactsBuilder {
    /// A builder with room for `n` rows.
    pub fn with_capacity(n: usize) -> FactsBuilder {
        FactsBuilder {
            facts: Facts::with_capacity(n),
            provinces: Default::default(),
            communes: Default::default(),
        }
    }

    /// Appends a case.
    pub fn push(&mut self, c: &CaseFact<'_>) {
        let province = match c.province {
            None => NO_PROVINCE,
            Some(code) => match self.provinces.get(code) {
                Some(&i) => i,
                None => {
                    let i = self.facts.province_index(Some(code));
                    if i != NO_PROVINCE {
                        self.provinces.insert(code.to_string(), i);
                    }
                    i
                }
            },
        };
        let commune = match c.commune {
            None => NO_COMMUNE,
            Some(code) => match self.communes.get(code) {
                Some(&i) => i,
                None if self.facts.communes.len() < MAX_COMMUNES => {
                    let i = self.facts.communes.len() as u16;
                    self.facts.communes.push(code.to_string());
                    self.communes.insert(code.to_string(), i);
                    i
                }
                None => NO_COMMUNE,
            },
        };
        self.facts.push(FactRow {
            id: u32::try_from(c.id.max(0)).unwrap_or(u32::MAX),
            day: day_number(c.opened_on),
            kind: c.kind.index() as u8,
            sector: c.sector.index() as u8,
            status: c.status.index() as u8,
            subject: c.subject.index() as u8,
            discipline: discipline_value(c.discipline),
            categories: c.categories & ((1 << ViolationCategory::ALL.len()) - 1),
            province,
            commune,
            lat: quantize_lat(c.lat),
            lon: quantize_lon(c.lon),
            amount: amount_millions(c.amount_vnd),
        });
    }

    /// Rows so far.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    /// Whether no row was pushed.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// The table.
    pub fn finish(self) -> Facts {
        self.facts
    }
}
