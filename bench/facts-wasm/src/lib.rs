//! The facts filter engine for the browser benchmark (`bench/facts`, `cargo xtask bench-facts`).
//!
//! Builds a seeded synthetic table (the generator of `domain/examples/facts_bench.rs`), hands its
//! columns to JavaScript as typed arrays (so the JavaScript peers filter the very same rows, in
//! the engine's order), plans the seeded change sequence of the native example, applies change
//! `k` and writes every linked view into one flat `u32` buffer the page reads in place. It times
//! nothing itself: the page times each call with `performance.now()`.
//!
//! The flat views: `[total, amount low 32 bits, amount high 32 bits, kind.., sector.., status..,
//! subject.., discipline.., category.., province.., commune.., days..]`, the lengths of each part
//! given by [`FactsBench::shape`].

use domain::facts::synth::synthetic;
use domain::facts::{Engine, Facts, Filter, PackedFacts, Views, decode, encode};
use wasm_bindgen::prelude::*;

pub use domain::facts::synth::Change;
use domain::facts::synth::change_plan as plan;

/// Writes the views in the flat form (see the crate documentation).
pub fn flatten(v: &Views<'_>, out: &mut Vec<u32>) {
    out.clear();
    out.push(v.total);
    out.push(v.amount as u32);
    out.push((v.amount >> 32) as u32);
    for part in [
        v.kind,
        v.sector,
        v.status,
        v.subject,
        v.discipline,
        &v.category[..],
        v.province,
        v.commune,
        v.days,
    ] {
        out.extend_from_slice(part);
    }
}

/// The benchmark's table, engine and change sequence.
#[wasm_bindgen]
pub struct FactsBench {
    /// The generated table until [`FactsBench::build`] hands it to the engine.
    pending: Option<Facts>,
    engine: Option<Engine>,
    changes: Vec<Change>,
    out: Vec<u32>,
}

/// The browser's work from the facts' arrival to the first filtered view: decode the payload
/// (`GET /api/v1/facts`'s body), build an engine over it and compute its views. Returns the
/// number of rows the views count.
#[wasm_bindgen(js_name = firstView)]
pub fn first_view(payload: &[u8]) -> Result<u32, JsError> {
    let facts = decode(payload).map_err(|e| JsError::new(&e.to_string()))?;
    let engine = Engine::new(facts).map_err(|e| JsError::new(&e.to_string()))?;
    let mut out = Vec::new();
    flatten(&engine.views(), &mut out);
    Ok(engine.views().total)
}

fn no_engine() -> JsError {
    JsError::new("the engine is not built yet (call build())")
}

#[wasm_bindgen]
impl FactsBench {
    /// Generates `rows` synthetic rows from `seed` (the native example uses 2026).
    #[wasm_bindgen(constructor)]
    pub fn new(rows: u32, seed: u32) -> FactsBench {
        FactsBench {
            pending: Some(synthetic(rows as usize, seed as u64)),
            engine: None,
            changes: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Builds the engine over the generated table (the step the page times as "build").
    pub fn build(&mut self) -> Result<(), JsError> {
        let facts = self
            .pending
            .take()
            .ok_or_else(|| JsError::new("already built"))?;
        self.engine = Some(Engine::new(facts).map_err(|e| JsError::new(&e.to_string()))?);
        Ok(())
    }

    /// A column of the engine's table (rows by opening day), as a typed array.
    fn column<T>(&self, value: impl Fn(&PackedFacts, usize) -> T) -> Result<Vec<T>, JsError> {
        let f = self.engine()?.facts();
        Ok((0..f.len()).map(|r| value(f, r)).collect())
    }

    fn engine(&self) -> Result<&Engine, JsError> {
        self.engine.as_ref().ok_or_else(no_engine)
    }

    /// Number of rows.
    pub fn rows(&self) -> u32 {
        match (&self.pending, &self.engine) {
            (Some(f), _) => f.len() as u32,
            (None, Some(e)) => e.len() as u32,
            (None, None) => 0,
        }
    }

    /// Bytes a row of the engine's table takes in memory (all columns together, packed).
    #[wasm_bindgen(js_name = rowBytes)]
    pub fn row_bytes(&self) -> Result<f64, JsError> {
        let e = self.engine()?;
        Ok(e.facts().memory_bytes() as f64 / e.len().max(1) as f64)
    }

    /// Bytes the engine holds beyond its table (rejection bits, rows by place, counts).
    #[wasm_bindgen(js_name = indexBytes)]
    pub fn index_bytes(&self) -> Result<f64, JsError> {
        Ok(self.engine()?.index_bytes() as f64)
    }

    /// The table in its wire encoding (`GET /api/v1/facts`), in the generator's row order
    /// before [`FactsBench::build`], in the engine's after.
    pub fn wire(&self) -> Vec<u8> {
        match (&self.pending, &self.engine) {
            (Some(f), _) => encode(f),
            (None, Some(e)) => encode(&e.facts().to_facts()),
            (None, None) => Vec::new(),
        }
    }

    /// The flat views' part lengths: kind, sector, status, subject, discipline, category,
    /// province, commune, days; then the day number of the first day.
    pub fn shape(&self) -> Result<Vec<u32>, JsError> {
        let v = self.engine()?.views();
        Ok(vec![
            v.kind.len() as u32,
            v.sector.len() as u32,
            v.status.len() as u32,
            v.subject.len() as u32,
            v.discipline.len() as u32,
            v.category.len() as u32,
            v.province.len() as u32,
            v.commune.len() as u32,
            v.days.len() as u32,
            v.first_day as u32,
        ])
    }

    /// A column of the engine's table (rows by opening day), as a typed array (a copy).
    pub fn id(&self) -> Result<Vec<u32>, JsError> {
        self.column(PackedFacts::id)
    }
    pub fn day(&self) -> Result<Vec<u16>, JsError> {
        self.column(PackedFacts::day)
    }
    pub fn kind(&self) -> Result<Vec<u8>, JsError> {
        self.column(PackedFacts::kind)
    }
    pub fn sector(&self) -> Result<Vec<u8>, JsError> {
        self.column(PackedFacts::sector)
    }
    pub fn status(&self) -> Result<Vec<u8>, JsError> {
        self.column(PackedFacts::status)
    }
    pub fn subject(&self) -> Result<Vec<u8>, JsError> {
        self.column(PackedFacts::subject)
    }
    pub fn discipline(&self) -> Result<Vec<u8>, JsError> {
        self.column(PackedFacts::discipline)
    }
    pub fn categories(&self) -> Result<Vec<u16>, JsError> {
        self.column(PackedFacts::categories)
    }
    pub fn province(&self) -> Result<Vec<u8>, JsError> {
        self.column(PackedFacts::province)
    }
    pub fn commune(&self) -> Result<Vec<u16>, JsError> {
        self.column(PackedFacts::commune)
    }
    pub fn lat(&self) -> Result<Vec<u16>, JsError> {
        self.column(PackedFacts::lat)
    }
    pub fn lon(&self) -> Result<Vec<u16>, JsError> {
        self.column(PackedFacts::lon)
    }
    pub fn amount(&self) -> Result<Vec<u32>, JsError> {
        self.column(PackedFacts::amount)
    }

    /// Plans `changes` seeded changes (the native example uses seed 7); returns how many.
    pub fn plan(&mut self, changes: u32, seed: u32) -> Result<u32, JsError> {
        self.changes = plan(self.engine()?.facts(), changes as usize, seed as u64);
        Ok(self.changes.len() as u32)
    }

    fn change(&self, k: u32) -> Result<&Change, JsError> {
        self.changes
            .get(k as usize)
            .ok_or_else(|| JsError::new(&format!("no change {k}")))
    }

    /// Change `k`'s label ("brush new", "radius", ...).
    #[wasm_bindgen(js_name = changeLabel)]
    pub fn change_label(&self, k: u32) -> Result<String, JsError> {
        Ok(self.change(k)?.label.to_string())
    }

    /// Change `k`'s dimension ("time", "kind", ..., "space").
    #[wasm_bindgen(js_name = changeDimension)]
    pub fn change_dimension(&self, k: u32) -> Result<String, JsError> {
        Ok(self.change(k)?.dimension.as_str().to_string())
    }

    /// Change `k`'s filter kind: "clear", "days", "values", "radius" or "lasso".
    #[wasm_bindgen(js_name = changeFilter)]
    pub fn change_filter(&self, k: u32) -> Result<String, JsError> {
        Ok(match &self.change(k)?.filter {
            None => "clear",
            Some(Filter::Days { .. }) => "days",
            Some(Filter::Values(_)) => "values",
            Some(Filter::Radius { .. }) => "radius",
            Some(Filter::Lasso(_)) => "lasso",
        }
        .to_string())
    }

    /// Change `k`'s parameters: days `[from, to]`, values the indexes, radius `[lat, lon, km]`,
    /// lasso `[lat0, lon0, lat1, lon1, ..]`, clear `[]`.
    #[wasm_bindgen(js_name = changeParams)]
    pub fn change_params(&self, k: u32) -> Result<Vec<f64>, JsError> {
        Ok(match &self.change(k)?.filter {
            None => vec![],
            Some(Filter::Days { from, to }) => vec![*from as f64, *to as f64],
            Some(Filter::Values(v)) => v.iter().map(|&x| x as f64).collect(),
            Some(Filter::Radius { lat, lon, km }) => vec![*lat, *lon, *km],
            Some(Filter::Lasso(p)) => p.iter().flat_map(|&(a, o)| [a, o]).collect(),
        })
    }

    /// Applies change `k` and writes the views in the flat form; returns its length (the page
    /// reads it in place at [`FactsBench::out_ptr`]).
    pub fn apply(&mut self, k: u32) -> Result<u32, JsError> {
        let Change {
            dimension, filter, ..
        } = self.change(k)?.clone();
        let e = self.engine.as_mut().ok_or_else(no_engine)?;
        match filter {
            Some(f) => e
                .set_filter(dimension, f)
                .map_err(|e| JsError::new(&e.to_string()))?,
            None => e.clear(dimension),
        }
        flatten(&e.views(), &mut self.out);
        Ok(self.out.len() as u32)
    }

    /// Writes the current views in the flat form; returns its length.
    pub fn views(&mut self) -> Result<u32, JsError> {
        let e = self.engine.as_ref().ok_or_else(no_engine)?;
        flatten(&e.views(), &mut self.out);
        Ok(self.out.len() as u32)
    }

    /// Where the flat views are in the wasm memory (valid until the next call).
    #[wasm_bindgen(js_name = outPtr)]
    pub fn out_ptr(&self) -> usize {
        self.out.as_ptr() as usize
    }

    /// Removes every filter.
    #[wasm_bindgen(js_name = clearAll)]
    pub fn clear_all(&mut self) -> Result<(), JsError> {
        self.engine.as_mut().ok_or_else(no_engine)?.clear_all();
        Ok(())
    }
}
