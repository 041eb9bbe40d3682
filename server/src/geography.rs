//! Map geometry in the database (`unit_geometry`): the shipped derived boundaries
//! (`geodata/derived`, made by the `geodata` crate from `geodata/inputs`) and real boundaries
//! imported by `oversight boundaries import`.

use sqlx::PgPool;

/// A shipped GeoJSON file: level, level of detail, content.
struct Shipped {
    level: &'static str,
    lod: i16,
    text: &'static str,
}

const SHIPPED: &[Shipped] = &[
    Shipped {
        level: "province",
        lod: 0,
        text: include_str!("../../geodata/derived/provinces.lod0.geojson"),
    },
    Shipped {
        level: "province",
        lod: 1,
        text: include_str!("../../geodata/derived/provinces.lod1.geojson"),
    },
    Shipped {
        level: "province",
        lod: 2,
        text: include_str!("../../geodata/derived/provinces.lod2.geojson"),
    },
    Shipped {
        level: "commune",
        lod: 0,
        text: include_str!("../../geodata/derived/communes.lod0.geojson"),
    },
    Shipped {
        level: "commune",
        lod: 1,
        text: include_str!("../../geodata/derived/communes.lod1.geojson"),
    },
];

/// Stores each feature's geometry for the unit whose code it carries (`properties.code`), at one
/// level of detail, replacing what was there. Features of unknown units are skipped and counted.
async fn store<'e>(
    db: impl sqlx::PgExecutor<'e>,
    level: &str,
    lod: i16,
    collection: &serde_json::Value,
    source: &str,
    synthetic_default: bool,
) -> sqlx::Result<(u64, u64)> {
    let row: (i64, i64) = sqlx::query_as(
        "WITH f AS (
             SELECT x->'properties'->>'code' AS code, x->'geometry' AS geometry,
                    coalesce((x->'properties'->>'synthetic')::boolean, $5) AS synthetic
             FROM jsonb_array_elements($1::jsonb->'features') x
         ), ins AS (
             INSERT INTO unit_geometry (unit, lod, geometry, synthetic, source)
             SELECT u.code, $3, f.geometry, f.synthetic, $4
             FROM f JOIN unit u ON u.code = f.code AND u.level = $2
             ON CONFLICT (unit, lod) DO UPDATE
                SET geometry = EXCLUDED.geometry, synthetic = EXCLUDED.synthetic, source = EXCLUDED.source
             RETURNING 1
         )
         SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM f)",
    )
    .bind(collection)
    .bind(level)
    .bind(lod)
    .bind(source)
    .bind(synthetic_default)
    .fetch_one(db)
    .await?;
    Ok((row.0 as u64, (row.1 - row.0) as u64))
}

/// Loads the shipped boundaries (all levels of detail) for the units in the database.
pub async fn load_shipped(pool: &PgPool) -> anyhow::Result<u64> {
    let mut stored = 0;
    for s in SHIPPED {
        let collection: serde_json::Value = serde_json::from_str(s.text)?;
        let (n, _) = store(
            pool,
            s.level,
            s.lod,
            &collection,
            "geodata/derived",
            s.level == "commune",
        )
        .await?;
        stored += n;
    }
    Ok(stored)
}

/// What an import did.
#[derive(Debug)]
pub struct ImportReport {
    pub level: String,
    pub replaced: u64,
    pub unknown_codes: Vec<String>,
    pub missing_units: u64,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} boundaries replaced (3 levels of detail each); {} {} units keep their previous shape",
            self.replaced, self.level, self.missing_units, self.level
        )?;
        if !self.unknown_codes.is_empty() {
            let shown: Vec<&str> = self
                .unknown_codes
                .iter()
                .take(10)
                .map(String::as_str)
                .collect();
            write!(
                f,
                "; {} features name no such unit and were skipped: {}",
                self.unknown_codes.len(),
                shown.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Replaces the geometry of the units of `level` named in a GeoJSON file (`properties.code`),
/// marking them real (not synthetic). The file is checked whole before anything is written.
pub async fn import(
    pool: &PgPool,
    path: &std::path::Path,
    level: &str,
) -> anyhow::Result<ImportReport> {
    use anyhow::{Context, bail};
    if level != "province" && level != "commune" {
        bail!("--level: '{level}' is not one of: province, commune");
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let gj: geojson::GeoJson = text
        .parse()
        .with_context(|| format!("{}: not GeoJSON", path.display()))?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        bail!("{}: expected a FeatureCollection", path.display());
    };
    let known: Vec<String> = sqlx::query_scalar("SELECT code FROM unit WHERE level = $1")
        .bind(level)
        .fetch_all(pool)
        .await?;
    let known: std::collections::BTreeSet<String> = known.into_iter().collect();
    let mut codes = Vec::new();
    let mut shapes = Vec::new();
    let mut unknown = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, feature) in fc.features.iter().enumerate() {
        let code = feature
            .property("code")
            .and_then(|c| {
                c.as_str()
                    .map(str::to_string)
                    .or_else(|| c.as_u64().map(|n| n.to_string()))
            })
            .with_context(|| format!("feature {}: no 'code' property", i + 1))?;
        let geometry = feature
            .geometry
            .as_ref()
            .with_context(|| format!("feature {} ({code}): no geometry", i + 1))?;
        let shape: geo::Geometry<f64> = geometry
            .value
            .clone()
            .try_into()
            .with_context(|| format!("feature {} ({code}): unreadable geometry", i + 1))?;
        let multi = match shape {
            geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(m) => m,
            _ => bail!(
                "feature {} ({code}): expected a Polygon or MultiPolygon",
                i + 1
            ),
        };
        if !known.contains(&code) {
            unknown.push(code);
            continue;
        }
        if !seen.insert(code.clone()) {
            bail!("feature {} ({code}): the code appears twice", i + 1);
        }
        codes.push(code);
        shapes.push(multi);
    }
    // Simplified together, so that neighbours keep sharing their borders at every level.
    let mut levels: [Vec<serde_json::Value>; 3] = Default::default();
    for (code, simplified) in codes
        .iter()
        .zip(geodata::simplify_collection_levels(&shapes))
    {
        for (lod, shape) in simplified.iter().enumerate() {
            let g = geojson::Geometry::new(geojson::Value::from(shape));
            levels[lod].push(serde_json::json!({
                "type": "Feature",
                "properties": {"code": code, "synthetic": false},
                "geometry": serde_json::to_value(&g)?,
            }));
        }
    }
    let source = format!(
        "import:{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    // All three levels or none.
    let mut tx = pool.begin().await?;
    let mut replaced = 0;
    for (lod, features) in levels.into_iter().enumerate() {
        let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
        let (n, _) = store(&mut *tx, level, lod as i16, &fc, &source, false).await?;
        replaced = n;
    }
    tx.commit().await?;
    crate::audit::append(
        pool,
        "cli",
        "boundaries_import",
        level,
        serde_json::json!({"file": source, "replaced": replaced}),
    )
    .await?;
    Ok(ImportReport {
        level: level.to_string(),
        replaced,
        unknown_codes: unknown,
        missing_units: known.len() as u64 - replaced,
    })
}
