//! Derives the map geometry Oversight ships, reproducibly, from the inputs in
//! `geodata/inputs/` (see `geodata/README.md`).
//!
//! Everything here is a pure function of its arguments: no clock, no hash-map
//! iteration order, no randomness reaches an output, so the same inputs always
//! give byte-identical files.
//!
//! The pieces:
//! - reading: [`read_old_provinces`], [`parse_merger`], [`read_communes`] and the
//!   generic [`read_multipolygon_features`] (any `FeatureCollection` of
//!   `Polygon`/`MultiPolygon` features, e.g. for a boundaries import);
//! - cleaning and simplification: [`clean_multipolygon`] (rounds to a grid and
//!   keeps the result valid), [`simplify_collection`] (topology-aware: a border
//!   shared by two features is simplified once, so neighbours keep meeting
//!   exactly) and [`simplify_levels`] / [`simplify_collection_levels`] (the
//!   three levels of detail of the shipped files);
//! - synthetic geometry: [`clip_half_plane`], [`voronoi_cells`], [`disc`],
//!   [`disc_with_area`], [`commune_shapes`];
//! - output: [`write_polygon_collection`], [`write_point_collection`] and
//!   [`derive`], which builds every file of `geodata/derived/`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{Context, Result, anyhow, bail, ensure};
use geo::orient::{Direction, Orient};
use geo::{
    BooleanOps, BoundingRect, Coord, GeodesicArea, Intersects, LineString, MultiPolygon, Point,
    Polygon, Validation, coord, unary_union,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Simplification tolerance (degrees, Douglas–Peucker) of each level of detail.
pub const LOD_TOLERANCE_DEG: [f64; 3] = [0.0, 0.005, 0.02];
/// Decimals kept in the coordinates of each level of detail.
pub const LOD_DECIMALS: [u32; 3] = [5, 4, 4];
/// Radius of the symbolic disc drawn for each island of Hoàng Sa and Trường Sa.
pub const ISLAND_DISC_RADIUS_KM: f64 = 7.0;
/// Vertices of an island disc at each level of detail.
pub const ISLAND_DISC_VERTICES: [usize; 3] = [24, 16, 12];
/// Vertices of a commune disc at lod0 and lod1.
pub const COMMUNE_DISC_VERTICES: [usize; 2] = [32, 16];
/// A commune drawn as a disc whose official area is smaller than this (some are
/// recorded as 0) is drawn with this area instead, so that it stays visible.
pub const MIN_DISC_AREA_KM2: f64 = 1.0;
/// Code of the province that holds the Hoàng Sa archipelago (Thành phố Đà Nẵng).
pub const HOANG_SA_PROVINCE: &str = "48";
/// Code of the province that holds the Trường Sa archipelago (Tỉnh Khánh Hòa).
pub const TRUONG_SA_PROVINCE: &str = "56";

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/// The properties of a GeoJSON feature.
pub type Properties = serde_json::Map<String, serde_json::Value>;

/// One of the 63 pre-2025 provinces of the Natural Earth input.
#[derive(Debug, Clone)]
pub struct OldProvince {
    pub old_code: String,
    pub old_name: String,
    pub new_code: String,
    pub new_name: String,
    pub geometry: MultiPolygon<f64>,
}

/// One line of `merger_63_to_34.txt`: a 2025 province and the old ones it is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merger {
    pub code: String,
    pub name: String,
    /// `(old_code, old_name)`, in the order of the file.
    pub old: Vec<(String, String)>,
}

/// One row of `communes_2025_centroids.csv`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Commune {
    pub province_code: String,
    pub province: String,
    #[serde(rename = "ward_code")]
    pub code: String,
    #[serde(rename = "ward")]
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub area_km2: f64,
}

impl Commune {
    /// The centroid as a `(lon, lat)` coordinate.
    pub fn centroid(&self) -> Coord<f64> {
        coord! { x: self.lon, y: self.lat }
    }
}

/// Properties and geometry of every feature of a GeoJSON `FeatureCollection`
/// whose geometries are `Polygon` or `MultiPolygon` (a `Polygon` becomes a
/// one-element `MultiPolygon`). Fails on any other geometry type or a missing
/// geometry, naming the feature.
pub fn read_multipolygon_features(text: &str) -> Result<Vec<(Properties, MultiPolygon<f64>)>> {
    let gj: geojson::GeoJson = text.parse().context("not GeoJSON")?;
    let fc = geojson::FeatureCollection::try_from(gj).context("not a FeatureCollection")?;
    let mut out = Vec::with_capacity(fc.features.len());
    for (i, f) in fc.features.into_iter().enumerate() {
        let geom = f
            .geometry
            .as_ref()
            .ok_or_else(|| anyhow!("feature {i} has no geometry"))?;
        let g = geo::Geometry::<f64>::try_from(&geom.value)
            .with_context(|| format!("feature {i}: unreadable geometry"))?;
        let mp = match g {
            geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            other => bail!(
                "feature {i}: expected Polygon or MultiPolygon, found {}",
                geometry_type_name(&other)
            ),
        };
        out.push((f.properties.unwrap_or_default(), mp));
    }
    Ok(out)
}

/// The features of a `FeatureCollection` with their properties deserialized
/// into `P` (e.g. [`ProvinceProps`] for `provinces.lod*.geojson`,
/// [`CommuneProps`] for `communes.lod*.geojson`).
pub fn read_features<P: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<Vec<(P, MultiPolygon<f64>)>> {
    read_multipolygon_features(text)?
        .into_iter()
        .enumerate()
        .map(|(i, (props, g))| {
            let p = serde_json::from_value(serde_json::Value::Object(props))
                .with_context(|| format!("feature {i}: unexpected properties"))?;
            Ok((p, g))
        })
        .collect()
}

fn geometry_type_name(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) => "Line",
        geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::Polygon(_) => "Polygon",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
        geo::Geometry::Rect(_) => "Rect",
        geo::Geometry::Triangle(_) => "Triangle",
    }
}

/// A string property of a feature, or an error naming it.
pub fn string_property(props: &Properties, key: &str) -> Result<String> {
    match props.get(key) {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
        _ => bail!("missing string property `{key}`"),
    }
}

/// The 63 old provinces of `vn63_prov_ne10m.geojson`, sorted by `old_code`.
pub fn read_old_provinces(text: &str) -> Result<Vec<OldProvince>> {
    let mut out = Vec::new();
    for (i, (props, geometry)) in read_multipolygon_features(text)?.into_iter().enumerate() {
        let p = |k| string_property(&props, k).with_context(|| format!("feature {i}"));
        out.push(OldProvince {
            old_code: p("old_code")?,
            old_name: p("old_name")?,
            new_code: p("new_code")?,
            new_name: p("new_name")?,
            geometry,
        });
    }
    out.sort_by(|a, b| a.old_code.cmp(&b.old_code));
    Ok(out)
}

/// Parses `merger_63_to_34.txt`. Lines that do not start with a two-digit code
/// (the summary lines) are skipped. Sorted by code.
pub fn parse_merger(text: &str) -> Result<Vec<Merger>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        let b = line.as_bytes();
        if b.len() < 3 || !b[0].is_ascii_digit() || !b[1].is_ascii_digit() || b[2] != b' ' {
            continue;
        }
        let (left, right) = line
            .split_once("<=")
            .ok_or_else(|| anyhow!("line {}: no `<=`", n + 1))?;
        let left = left.trim();
        let code = left[..2].to_string();
        let name = left[2..].trim().to_string();
        let mut old = Vec::new();
        for part in right.split(" + ") {
            let part = part.trim();
            let open = part
                .rfind('(')
                .ok_or_else(|| anyhow!("line {}: `{part}` has no `(code)`", n + 1))?;
            let old_code = part[open + 1..].trim_end_matches(')').trim().to_string();
            ensure!(
                old_code.len() == 2 && old_code.bytes().all(|c| c.is_ascii_digit()),
                "line {}: bad old code in `{part}`",
                n + 1
            );
            old.push((old_code, part[..open].trim().to_string()));
        }
        out.push(Merger { code, name, old });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// The communes of `communes_2025_centroids.csv`, sorted by code.
pub fn read_communes(text: &str) -> Result<Vec<Commune>> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in rdr.deserialize::<Commune>().enumerate() {
        let c = rec.with_context(|| format!("communes row {}", i + 2))?;
        ensure!(
            c.lat.is_finite() && c.lon.is_finite() && c.area_km2.is_finite(),
            "commune {}: non-finite number",
            c.code
        );
        out.push(c);
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

// ---------------------------------------------------------------------------
// Small geometry helpers
// ---------------------------------------------------------------------------

/// Rounds to `decimals` decimal places (half away from zero).
pub fn round_to(v: f64, decimals: u32) -> f64 {
    let s = 10f64.powi(decimals as i32);
    let r = (v * s).round() / s;
    if r == 0.0 { 0.0 } else { r }
}

/// Geodesic (WGS84 ellipsoid) area of a multipolygon, in km².
pub fn geodesic_area_km2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter().map(|p| p.geodesic_area_unsigned()).sum::<f64>() / 1e6
}

fn ring_signed_area(pts: &[Coord<f64>]) -> f64 {
    // pts is an open ring (no closing point)
    let n = pts.len();
    let mut s = 0.0;
    for i in 0..n {
        let a = pts[i];
        let b = pts[(i + 1) % n];
        s += a.x * b.y - b.x * a.y;
    }
    s / 2.0
}

/// Open ring: consecutive duplicates (also across the closing point) removed.
fn open_ring(ls: &LineString<f64>, decimals: Option<u32>) -> Vec<Coord<f64>> {
    let mut v: Vec<Coord<f64>> = Vec::with_capacity(ls.0.len());
    for c in &ls.0 {
        let c = match decimals {
            Some(d) => coord! { x: round_to(c.x, d), y: round_to(c.y, d) },
            None => *c,
        };
        if v.last() != Some(&c) {
            v.push(c);
        }
    }
    while v.len() > 1 && v.first() == v.last() {
        v.pop();
    }
    v
}

fn close_ring(mut v: Vec<Coord<f64>>) -> LineString<f64> {
    if let Some(&f) = v.first() {
        v.push(f);
    }
    LineString::new(v)
}

/// Rounds every coordinate to `decimals`, removes repeated points, drops rings
/// that collapse (fewer than 3 distinct points or zero area) and polygons whose
/// exterior collapses, orients rings the RFC 7946 way (exterior counter-clockwise)
/// and, if rounding made the result invalid, repairs it with a boolean union.
pub fn clean_multipolygon(mp: &MultiPolygon<f64>, decimals: u32) -> MultiPolygon<f64> {
    let once = round_rings(mp, decimals);
    if once.is_valid() {
        return once;
    }
    let repaired = round_rings(&once.union(&MultiPolygon::<f64>::new(vec![])), decimals);
    if repaired.is_valid() || repaired.0.is_empty() {
        repaired
    } else {
        once
    }
}

fn round_rings(mp: &MultiPolygon<f64>, decimals: u32) -> MultiPolygon<f64> {
    let mut polys = Vec::new();
    for p in &mp.0 {
        let ext = open_ring(p.exterior(), Some(decimals));
        if ext.len() < 3 || ring_signed_area(&ext) == 0.0 {
            continue;
        }
        let holes = p
            .interiors()
            .iter()
            .map(|r| open_ring(r, Some(decimals)))
            .filter(|r| r.len() >= 3 && ring_signed_area(r) != 0.0)
            .map(close_ring)
            .collect();
        polys.push(Polygon::new(close_ring(ext), holes));
    }
    MultiPolygon::new(polys).orient(Direction::Default)
}

fn wgs84_km_per_degree(lat_deg: f64) -> (f64, f64) {
    // (km per degree of longitude, km per degree of latitude) on the WGS84 ellipsoid
    let a = 6378.137;
    let f = 1.0 / 298.257_223_563;
    let e2 = f * (2.0 - f);
    let phi = lat_deg.to_radians();
    let w = 1.0 - e2 * phi.sin().powi(2);
    let n = a / w.sqrt();
    let m = a * (1.0 - e2) / w.powf(1.5);
    let k = std::f64::consts::PI / 180.0;
    (n * phi.cos() * k, m * k)
}

/// A regular `vertices`-gon of circumradius `radius_km` centred on `center`
/// (`x` = lon, `y` = lat), laid out in the local tangent plane of the WGS84
/// ellipsoid, counter-clockwise, first vertex due east.
pub fn disc(center: Coord<f64>, radius_km: f64, vertices: usize) -> Polygon<f64> {
    let n = vertices.max(3);
    let (kx, ky) = wgs84_km_per_degree(center.y);
    let pts = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            coord! { x: center.x + radius_km * t.cos() / kx, y: center.y + radius_km * t.sin() / ky }
        })
        .collect();
    Polygon::new(close_ring(pts), vec![])
}

/// A disc (regular `vertices`-gon) whose own area is `area_km2`.
pub fn disc_with_area(center: Coord<f64>, area_km2: f64, vertices: usize) -> Polygon<f64> {
    let n = vertices.max(3) as f64;
    // area of a regular n-gon of circumradius r: n/2 r² sin(2π/n)
    let r = (2.0 * area_km2.max(0.0) / (n * (std::f64::consts::TAU / n).sin())).sqrt();
    disc(center, r, vertices)
}

// ---------------------------------------------------------------------------
// Voronoi cells by half-plane clipping
// ---------------------------------------------------------------------------

/// Clips the convex polygon `poly` (an open ring, no closing point) by the
/// half-plane of points at least as close to `site` as to `other` (the side
/// of their perpendicular bisector that holds `site`). Sutherland–Hodgman.
pub fn clip_half_plane(
    poly: &[Coord<f64>],
    site: Coord<f64>,
    other: Coord<f64>,
) -> Vec<Coord<f64>> {
    let n = coord! { x: other.x - site.x, y: other.y - site.y };
    let m = coord! { x: (site.x + other.x) / 2.0, y: (site.y + other.y) / 2.0 };
    let f = |p: Coord<f64>| (p.x - m.x) * n.x + (p.y - m.y) * n.y;
    let mut out = Vec::with_capacity(poly.len() + 1);
    for i in 0..poly.len() {
        let a = poly[i];
        let b = poly[(i + 1) % poly.len()];
        let (fa, fb) = (f(a), f(b));
        if fa <= 0.0 {
            out.push(a);
        }
        if (fa < 0.0 && fb > 0.0) || (fa > 0.0 && fb < 0.0) {
            let t = fa / (fa - fb);
            out.push(coord! { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) });
        }
    }
    out.dedup();
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    if out.len() < 3 { Vec::new() } else { out }
}

fn dist(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// The Voronoi cell of every site inside the rectangle `bounds` (planar,
/// Euclidean), each as a convex open ring, counter-clockwise; empty for a site
/// that shares its position with another one.
///
/// Each cell starts as `bounds` and is clipped by the bisectors with the site's
/// neighbours in order of distance (an R-tree), until the next neighbour is at
/// least twice as far as the farthest vertex of the cell (the security-radius
/// criterion: no farther site can cut the cell any more).
pub fn voronoi_cells(sites: &[Coord<f64>], bounds: geo::Rect<f64>) -> Vec<Vec<Coord<f64>>> {
    let tree = RTree::bulk_load(
        sites
            .iter()
            .enumerate()
            .map(|(i, c)| GeomWithData::new([c.x, c.y], i))
            .collect(),
    );
    let (lo, hi) = (bounds.min(), bounds.max());
    let start = vec![
        coord! { x: lo.x, y: lo.y },
        coord! { x: hi.x, y: lo.y },
        coord! { x: hi.x, y: hi.y },
        coord! { x: lo.x, y: hi.y },
    ];
    sites
        .iter()
        .enumerate()
        .map(|(i, &site)| {
            let mut cell = start.clone();
            let mut radius = cell.iter().map(|&v| dist(site, v)).fold(0.0, f64::max);
            for (nb, d2) in tree.nearest_neighbor_iter_with_distance_2(&[site.x, site.y]) {
                if nb.data == i {
                    continue;
                }
                if d2 == 0.0 {
                    return Vec::new();
                }
                if d2.sqrt() >= 2.0 * radius {
                    break;
                }
                let other = coord! { x: nb.geom()[0], y: nb.geom()[1] };
                cell = clip_half_plane(&cell, site, other);
                if cell.is_empty() {
                    break;
                }
                radius = cell.iter().map(|&v| dist(site, v)).fold(0.0, f64::max);
            }
            cell
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Topology-aware simplification
// ---------------------------------------------------------------------------

type Q = (i64, i64);
const TOPO_SCALE: f64 = 1e7;

fn quantize(c: Coord<f64>, scale: f64) -> Q {
    ((c.x * scale).round() as i64, (c.y * scale).round() as i64)
}

struct TopoRing {
    geom: usize,
    poly: usize,
    /// `(arc id, reversed)`
    arcs: Vec<(usize, bool)>,
}

struct Topology {
    arcs: Vec<Vec<Coord<f64>>>,
    closed: Vec<bool>,
    uses: Vec<u32>,
    rings: Vec<TopoRing>,
}

impl Topology {
    fn build(geoms: &[MultiPolygon<f64>]) -> Topology {
        // rings as quantized open point lists
        let mut rings: Vec<(usize, usize, Vec<Q>)> = Vec::new();
        for (gi, g) in geoms.iter().enumerate() {
            for (pi, p) in g.0.iter().enumerate() {
                for ls in std::iter::once(p.exterior()).chain(p.interiors()) {
                    let mut v: Vec<Q> = Vec::with_capacity(ls.0.len());
                    for c in &ls.0 {
                        let q = quantize(*c, TOPO_SCALE);
                        if v.last() != Some(&q) {
                            v.push(q);
                        }
                    }
                    while v.len() > 1 && v.first() == v.last() {
                        v.pop();
                    }
                    if v.len() >= 3 {
                        rings.push((gi, pi, v));
                    }
                }
            }
        }
        // junctions: points whose set of neighbours is not exactly two points
        let mut neighbours: HashMap<Q, Vec<Q>> = HashMap::new();
        for (_, _, r) in &rings {
            let n = r.len();
            for i in 0..n {
                let e = neighbours.entry(r[i]).or_default();
                for q in [r[(i + n - 1) % n], r[(i + 1) % n]] {
                    if !e.contains(&q) {
                        e.push(q);
                    }
                }
            }
        }
        let is_junction = |q: &Q| neighbours.get(q).is_some_and(|v| v.len() != 2);

        let mut arc_ids: HashMap<Vec<Q>, usize> = HashMap::new();
        let mut topo = Topology {
            arcs: Vec::new(),
            closed: Vec::new(),
            uses: Vec::new(),
            rings: Vec::new(),
        };
        for (gi, pi, r) in &rings {
            let n = r.len();
            let mut cuts: Vec<usize> = (0..n).filter(|&i| is_junction(&r[i])).collect();
            if cuts.is_empty() {
                let min = (0..n).min_by_key(|&i| r[i]).unwrap_or(0);
                cuts.push(min);
            }
            let mut arcs = Vec::with_capacity(cuts.len());
            for (k, &from) in cuts.iter().enumerate() {
                let to = cuts[(k + 1) % cuts.len()];
                let len = if to > from { to - from } else { to + n - from };
                let arc: Vec<Q> = (0..=len).map(|j| r[(from + j) % n]).collect();
                let rev: Vec<Q> = arc.iter().rev().copied().collect();
                let (key, reversed) = if rev < arc { (rev, true) } else { (arc, false) };
                let id = match arc_ids.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = topo.arcs.len();
                        topo.closed.push(key.first() == key.last());
                        topo.arcs.push(
                            key.iter()
                                .map(|q| coord! { x: q.0 as f64 / TOPO_SCALE, y: q.1 as f64 / TOPO_SCALE })
                                .collect(),
                        );
                        topo.uses.push(0);
                        arc_ids.insert(key, id);
                        id
                    }
                };
                topo.uses[id] += 1;
                arcs.push((id, reversed));
            }
            topo.rings.push(TopoRing {
                geom: *gi,
                poly: *pi,
                arcs,
            });
        }
        topo
    }

    /// The arc simplified at `tol` and rounded to the output grid (integers at
    /// `scale`), or empty if it is a small unshared closed ring that vanishes.
    fn simplify_arc(&self, id: usize, tol: f64, scale: f64) -> Vec<Q> {
        let pts = &self.arcs[id];
        let kept: Vec<Coord<f64>> = if tol <= 0.0 {
            pts.clone()
        } else if self.closed[id] {
            let open = &pts[..pts.len() - 1];
            if self.uses[id] == 1 && ring_signed_area(open).abs() < tol * tol {
                return Vec::new();
            }
            simplify_closed(pts, tol)
        } else {
            douglas_peucker(pts, tol, false)
        };
        let mut out: Vec<Q> = Vec::with_capacity(kept.len());
        for c in kept {
            let q = quantize(c, scale);
            if out.last() != Some(&q) {
                out.push(q);
            }
        }
        out
    }
}

fn seg_dist(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let l2 = dx * dx + dy * dy;
    if l2 == 0.0 {
        return dist(p, a);
    }
    let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / l2).clamp(0.0, 1.0);
    dist(p, coord! { x: a.x + t * dx, y: a.y + t * dy })
}

/// Douglas–Peucker keeping both ends; with `force_one`, also the farthest
/// interior point even when it is within `tol`.
fn douglas_peucker(pts: &[Coord<f64>], tol: f64, force_one: bool) -> Vec<Coord<f64>> {
    let n = pts.len();
    if n <= 2 {
        return pts.to_vec();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let mut stack = vec![(0usize, n - 1)];
    let mut first = true;
    while let Some((s, e)) = stack.pop() {
        if e <= s + 1 {
            continue;
        }
        let (mut best, mut best_d) = (s + 1, -1.0);
        for (i, &p) in pts.iter().enumerate().take(e).skip(s + 1) {
            let d = seg_dist(p, pts[s], pts[e]);
            if d > best_d {
                best = i;
                best_d = d;
            }
        }
        if best_d > tol || (first && force_one) {
            keep[best] = true;
            stack.push((s, best));
            stack.push((best, e));
        }
        first = false;
    }
    pts.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| *p)
        .collect()
}

/// Simplifies a closed arc (first point == last point) into a ring of at least
/// three distinct points: split at the point farthest from the start, then
/// Douglas–Peucker on each half keeping at least one interior point of each.
fn simplify_closed(pts: &[Coord<f64>], tol: f64) -> Vec<Coord<f64>> {
    let n = pts.len();
    if n <= 4 {
        return pts.to_vec();
    }
    let far = (1..n - 1)
        .max_by(|&i, &j| {
            dist(pts[0], pts[i])
                .total_cmp(&dist(pts[0], pts[j]))
                .then(j.cmp(&i))
        })
        .unwrap_or(1);
    let mut a = douglas_peucker(&pts[..=far], tol, true);
    let b = douglas_peucker(&pts[far..], tol, true);
    a.pop();
    a.extend(b);
    a
}

fn cross(o: Q, a: Q, b: Q) -> i128 {
    (a.0 - o.0) as i128 * (b.1 - o.1) as i128 - (a.1 - o.1) as i128 * (b.0 - o.0) as i128
}

fn on_segment(a: Q, b: Q, p: Q) -> bool {
    cross(a, b, p) == 0
        && a.0.min(b.0) <= p.0
        && p.0 <= a.0.max(b.0)
        && a.1.min(b.1) <= p.1
        && p.1 <= a.1.max(b.1)
}

/// Whether two segments meet anywhere else than at a common end point
/// (crossing, touching in the middle, or overlapping along a line).
fn segments_conflict(a: Q, b: Q, c: Q, d: Q) -> bool {
    let d1 = cross(c, d, a).signum();
    let d2 = cross(c, d, b).signum();
    let d3 = cross(a, b, c).signum();
    let d4 = cross(a, b, d).signum();
    if d1 * d2 < 0 && d3 * d4 < 0 {
        return true;
    }
    if d1 == 0 && d2 == 0 {
        let key = |p: Q| if a.0 != b.0 { p.0 } else { p.1 };
        let (s0, s1) = (key(a).min(key(b)), key(a).max(key(b)));
        let (t0, t1) = (key(c).min(key(d)), key(c).max(key(d)));
        return s0.max(t0) < s1.min(t1);
    }
    [(a, c, d), (b, c, d), (c, a, b), (d, a, b)]
        .into_iter()
        .any(|(p, s, t)| p != s && p != t && on_segment(s, t, p))
}

/// Arcs (by id) having a segment that conflicts with another segment.
fn find_conflicts(arcs: &[Vec<Q>]) -> BTreeSet<usize> {
    let mut segs: Vec<(usize, Q, Q)> = Vec::new();
    for (id, a) in arcs.iter().enumerate() {
        for w in a.windows(2) {
            segs.push((id, w[0], w[1]));
        }
    }
    let rect = |a: Q, b: Q| {
        Rectangle::from_corners(
            [a.0.min(b.0) as f64, a.1.min(b.1) as f64],
            [a.0.max(b.0) as f64, a.1.max(b.1) as f64],
        )
    };
    let tree = RTree::bulk_load(
        segs.iter()
            .enumerate()
            .map(|(i, &(_, a, b))| GeomWithData::new(rect(a, b), i))
            .collect(),
    );
    let mut out = BTreeSet::new();
    for (i, &(id, a, b)) in segs.iter().enumerate() {
        let env = AABB::from_corners(
            [a.0.min(b.0) as f64, a.1.min(b.1) as f64],
            [a.0.max(b.0) as f64, a.1.max(b.1) as f64],
        );
        for cand in tree.locate_in_envelope_intersecting(&env) {
            let j = cand.data;
            if j <= i {
                continue;
            }
            let (jd, c, d) = segs[j];
            if segments_conflict(a, b, c, d) {
                out.insert(id);
                out.insert(jd);
            }
        }
    }
    out
}

fn assemble(
    topo: &Topology,
    simplified: &[Vec<Q>],
    n_geoms: usize,
    scale: f64,
) -> Vec<MultiPolygon<f64>> {
    // rings grouped per (geom, poly), exterior first (the order of Topology::build)
    // per polygon, its rings (None where a ring collapsed)
    type Rings = Vec<Option<Vec<Coord<f64>>>>;
    let mut polys: BTreeMap<(usize, usize), Rings> = BTreeMap::new();
    for ring in &topo.rings {
        let mut pts: Vec<Q> = Vec::new();
        for &(id, rev) in &ring.arcs {
            let arc = &simplified[id];
            let iter: Box<dyn Iterator<Item = &Q>> = if rev {
                Box::new(arc.iter().rev())
            } else {
                Box::new(arc.iter())
            };
            for &q in iter {
                if pts.last() != Some(&q) {
                    pts.push(q);
                }
            }
        }
        while pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        let coords: Vec<Coord<f64>> = pts
            .iter()
            .map(|q| coord! { x: q.0 as f64 / scale, y: q.1 as f64 / scale })
            .collect();
        let ok = coords.len() >= 3 && ring_signed_area(&coords) != 0.0;
        polys
            .entry((ring.geom, ring.poly))
            .or_default()
            .push(ok.then_some(coords));
    }
    let mut out = vec![MultiPolygon::<f64>::new(vec![]); n_geoms];
    for ((g, _), rings) in polys {
        let mut it = rings.into_iter();
        let Some(Some(ext)) = it.next() else { continue };
        let holes = it.flatten().map(close_ring).collect();
        out[g].0.push(Polygon::new(close_ring(ext), holes));
    }
    out.into_iter()
        .map(|mp| mp.orient(Direction::Default))
        .collect()
}

/// Simplifies a set of multipolygons that may share borders (a coverage, like
/// the provinces of a country) at `tolerance` degrees, rounding the result to
/// `decimals`, so that:
/// - a border shared by two features is split into the same arcs for both and
///   each arc is simplified once, so neighbours still meet exactly (no gaps, no
///   overlaps);
/// - no two simplified arcs cross, touch in the middle or overlap (and no arc
///   crosses itself): where they would, their tolerance is halved and they are
///   simplified again, down to not simplified at all;
/// - a small closed ring of its own (an islet, a hole) whose area is under
///   `tolerance²` vanishes; every feature still gets at least its largest
///   parts, and a feature that would vanish entirely is kept unsimplified;
/// - every result is valid (geo `Validation`) when the input is: a feature that
///   is not gets its arcs refined like a crossing.
///
/// With `tolerance <= 0` this is [`clean_multipolygon`] of each feature.
pub fn simplify_collection(
    geoms: &[MultiPolygon<f64>],
    tolerance: f64,
    decimals: u32,
) -> Vec<MultiPolygon<f64>> {
    if tolerance <= 0.0 {
        return geoms
            .iter()
            .map(|g| clean_multipolygon(g, decimals))
            .collect();
    }
    let scale = 10f64.powi(decimals as i32);
    let topo = Topology::build(geoms);
    let n_arcs = topo.arcs.len();
    let mut tol = vec![tolerance; n_arcs];
    let min_tol = tolerance / 64.0;
    let refine = |tol: &mut Vec<f64>, ids: &BTreeSet<usize>| {
        let mut changed = false;
        for &id in ids {
            if tol[id] > 0.0 {
                tol[id] = if tol[id] / 2.0 < min_tol {
                    0.0
                } else {
                    tol[id] / 2.0
                };
                changed = true;
            }
        }
        changed
    };
    let result = loop {
        let simplified: Vec<Vec<Q>> = (0..n_arcs)
            .map(|id| topo.simplify_arc(id, tol[id], scale))
            .collect();
        let conflicts = find_conflicts(&simplified);
        if !conflicts.is_empty() && refine(&mut tol, &conflicts) {
            continue;
        }
        let built = assemble(&topo, &simplified, geoms.len(), scale);
        let mut invalid_arcs = BTreeSet::new();
        for (gi, mp) in built.iter().enumerate() {
            if !mp.is_valid() {
                for r in topo.rings.iter().filter(|r| r.geom == gi) {
                    invalid_arcs.extend(r.arcs.iter().map(|a| a.0));
                }
            }
        }
        if !invalid_arcs.is_empty() && refine(&mut tol, &invalid_arcs) {
            continue;
        }
        break built;
    };
    result
        .into_iter()
        .zip(geoms)
        .map(|(mp, orig)| {
            if mp.0.is_empty() || !mp.is_valid() {
                clean_multipolygon(orig, decimals)
            } else {
                mp
            }
        })
        .collect()
}

/// The three levels of detail of a (multi)polygon, the way the shipped files
/// are made: lod0 = [`clean_multipolygon`] at 5 decimals, lod1 and lod2 =
/// [`simplify_collection`] at 0.005° and 0.02°, 4 decimals
/// ([`LOD_TOLERANCE_DEG`], [`LOD_DECIMALS`]).
///
/// For a set of features that share borders, use
/// [`simplify_collection_levels`] so that neighbours keep meeting exactly.
pub fn simplify_levels(geometry: &MultiPolygon<f64>) -> [MultiPolygon<f64>; 3] {
    simplify_collection_levels(std::slice::from_ref(geometry))
        .pop()
        .expect("one geometry in, one out")
}

/// [`simplify_levels`] of a whole coverage at once, borders shared.
pub fn simplify_collection_levels(geoms: &[MultiPolygon<f64>]) -> Vec<[MultiPolygon<f64>; 3]> {
    let lod0: Vec<MultiPolygon<f64>> = geoms
        .iter()
        .map(|g| clean_multipolygon(g, LOD_DECIMALS[0]))
        .collect();
    let lod1 = simplify_collection(&lod0, LOD_TOLERANCE_DEG[1], LOD_DECIMALS[1]);
    let lod2 = simplify_collection(&lod0, LOD_TOLERANCE_DEG[2], LOD_DECIMALS[2]);
    lod0.into_iter()
        .zip(lod1)
        .zip(lod2)
        .map(|((a, b), c)| [a, b, c])
        .collect()
}

// ---------------------------------------------------------------------------
// Provinces, islands, communes
// ---------------------------------------------------------------------------

/// A 2025 province, with the union of its old provinces (no islands added).
#[derive(Debug, Clone)]
pub struct Province {
    pub code: String,
    pub name: String,
    pub old_codes: Vec<String>,
    /// Union of the old provinces, cleaned at lod0 precision.
    pub mainland: MultiPolygon<f64>,
}

/// Unions the old provinces into the 34 of 2025, cross-checking the merger
/// list against the `new_code` / `new_name` of the polygons. Sorted by code.
pub fn build_provinces(old: &[OldProvince], merger: &[Merger]) -> Result<Vec<Province>> {
    let by_code: BTreeMap<&str, &OldProvince> =
        old.iter().map(|o| (o.old_code.as_str(), o)).collect();
    ensure!(
        by_code.len() == old.len(),
        "duplicate old_code in the province polygons"
    );
    let mut used = BTreeSet::new();
    let mut out = Vec::with_capacity(merger.len());
    for m in merger {
        let mut parts = Vec::new();
        for (oc, _) in &m.old {
            let o = by_code
                .get(oc.as_str())
                .ok_or_else(|| anyhow!("province {}: old province {oc} has no polygon", m.code))?;
            ensure!(
                o.new_code == m.code && o.new_name == m.name,
                "old province {oc}: polygon says it goes to {} {}, merger list says {} {}",
                o.new_code,
                o.new_name,
                m.code,
                m.name
            );
            ensure!(used.insert(oc.clone()), "old province {oc} listed twice");
            parts.push(o.geometry.clone().orient(Direction::Default));
        }
        let union = unary_union(parts.iter());
        out.push(Province {
            code: m.code.clone(),
            name: m.name.clone(),
            old_codes: m.old.iter().map(|(c, _)| c.clone()).collect(),
            mainland: clean_multipolygon(&union, LOD_DECIMALS[0]),
        });
    }
    ensure!(
        used.len() == old.len(),
        "{} old provinces are in no 2025 province",
        old.len() - used.len()
    );
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// A named island (approximate position) drawn as a symbolic disc.
#[derive(Debug, Clone, Copy)]
pub struct Island {
    pub name_vi: &'static str,
    pub lat: f64,
    pub lon: f64,
}

const fn island(name_vi: &'static str, lat: f64, lon: f64) -> Island {
    Island { name_vi, lat, lon }
}

/// Main islands of the Hoàng Sa archipelago (approximate positions).
pub const HOANG_SA_ISLANDS: &[Island] = &[
    island("Đảo Phú Lâm", 16.834, 112.339),
    island("Đảo Cây", 16.979, 112.267),
    island("Đảo Linh Côn", 16.667, 112.728),
    island("Đảo Hoàng Sa", 16.533, 111.608),
    island("Đảo Hữu Nhật", 16.500, 111.583),
    island("Đảo Quang Ảnh", 16.450, 111.510),
    island("Đảo Quang Hòa", 16.450, 111.710),
    island("Đảo Duy Mộng", 16.467, 111.740),
    island("Đảo Bạch Quy", 16.050, 111.770),
    island("Đảo Tri Tôn", 15.783, 111.200),
];

/// Main islands and reefs of the Trường Sa archipelago (approximate positions).
pub const TRUONG_SA_ISLANDS: &[Island] = &[
    island("Đảo Trường Sa Lớn", 8.644, 111.920),
    island("Đảo Song Tử Tây", 11.429, 114.333),
    island("Đảo Song Tử Đông", 11.453, 114.356),
    island("Đảo Thị Tứ", 11.054, 114.284),
    island("Đảo Bến Lạc", 11.083, 115.025),
    island("Đảo Loại Ta", 10.683, 114.421),
    island("Đảo Ba Bình", 10.377, 114.365),
    island("Đảo Sơn Ca", 10.376, 114.478),
    island("Đảo Nam Yết", 10.181, 114.361),
    island("Đảo Sinh Tồn", 9.883, 114.329),
    island("Đảo Sinh Tồn Đông", 9.903, 114.558),
    island("Đảo Phan Vinh", 8.960, 113.690),
    island("Đảo Tiên Nữ", 8.850, 114.650),
    island("Đảo Đá Tây", 8.850, 112.220),
    island("Đảo Thuyền Chài", 8.170, 113.300),
    island("Đảo An Bang", 7.892, 112.915),
];

/// Union of the symbolic discs of `islands` at a level of detail.
pub fn archipelago_geometry(islands: &[Island], lod: usize) -> MultiPolygon<f64> {
    let discs: Vec<Polygon<f64>> = islands
        .iter()
        .map(|i| {
            disc(
                coord! { x: i.lon, y: i.lat },
                ISLAND_DISC_RADIUS_KM,
                ISLAND_DISC_VERTICES[lod],
            )
        })
        .collect();
    clean_multipolygon(&unary_union(discs.iter()), LOD_DECIMALS[lod])
}

/// Label point of an archipelago.
#[derive(Debug, Clone, Serialize)]
pub struct Archipelago {
    pub name_vi: &'static str,
    pub name_en: &'static str,
    pub province: &'static str,
    #[serde(skip)]
    pub lon: f64,
    #[serde(skip)]
    pub lat: f64,
}

/// The two archipelago label points.
pub fn archipelagos() -> [Archipelago; 2] {
    [
        Archipelago {
            name_vi: "Quần đảo Hoàng Sa (Đà Nẵng)",
            name_en: "Hoang Sa archipelago (Da Nang)",
            province: HOANG_SA_PROVINCE,
            lon: 111.95,
            lat: 16.5,
        },
        Archipelago {
            name_vi: "Quần đảo Trường Sa (Khánh Hòa)",
            name_en: "Truong Sa archipelago (Khanh Hoa)",
            province: TRUONG_SA_PROVINCE,
            lon: 113.6,
            lat: 9.8,
        },
    ]
}

/// How a commune is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// Its Voronoi cell among the province's communes, clipped to the province.
    Voronoi,
    /// A disc of its official area at its centroid.
    Disc,
}

impl Shape {
    /// The `shape` property value: `"voronoi"` or `"disc"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Voronoi => "voronoi",
            Shape::Disc => "disc",
        }
    }
}

/// The synthetic polygon of a commune at lod0 and lod1.
#[derive(Debug, Clone)]
pub struct CommuneShape {
    pub shape: Shape,
    pub lod: [MultiPolygon<f64>; 2],
}

/// Synthetic polygons of the communes of one province, in the order given.
///
/// `outline` holds the province (without island discs) at lod0 and lod1. A
/// commune whose centroid lies in the lod0 outline gets its Voronoi cell among
/// those communes (computed with longitudes scaled by the cosine of the mean
/// latitude, so cells are not skewed), clipped to the outline of each level.
/// The others, and any whose clipped cell comes out empty or without its
/// centroid, get [`disc_with_area`] of their official area (at least
/// [`MIN_DISC_AREA_KM2`]).
pub fn commune_shapes(
    communes: &[&Commune],
    outline: [&MultiPolygon<f64>; 2],
) -> Vec<CommuneShape> {
    let centroids: Vec<Coord<f64>> = communes.iter().map(|c| c.centroid()).collect();
    let inside: Vec<usize> = (0..communes.len())
        .filter(|&i| outline[0].intersects(&Point::from(centroids[i])))
        .collect();
    let mut cells: Vec<Option<Polygon<f64>>> = vec![None; communes.len()];
    if !inside.is_empty() {
        let lat0 = inside.iter().map(|&i| centroids[i].y).sum::<f64>() / inside.len() as f64;
        let k = lat0.to_radians().cos();
        let project = |c: Coord<f64>| coord! { x: c.x * k, y: c.y };
        let sites: Vec<Coord<f64>> = inside.iter().map(|&i| project(centroids[i])).collect();
        let mut lo = coord! { x: f64::INFINITY, y: f64::INFINITY };
        let mut hi = coord! { x: f64::NEG_INFINITY, y: f64::NEG_INFINITY };
        let outline_box = outline[0].bounding_rect();
        let corners = outline_box
            .iter()
            .flat_map(|r| [r.min(), r.max()])
            .map(project);
        for c in sites.iter().copied().chain(corners) {
            lo = coord! { x: lo.x.min(c.x), y: lo.y.min(c.y) };
            hi = coord! { x: hi.x.max(c.x), y: hi.y.max(c.y) };
        }
        let margin = 0.1;
        let bounds = geo::Rect::new(
            coord! { x: lo.x - margin, y: lo.y - margin },
            coord! { x: hi.x + margin, y: hi.y + margin },
        );
        for (cell, &i) in voronoi_cells(&sites, bounds).into_iter().zip(&inside) {
            if !cell.is_empty() {
                let ring = cell
                    .into_iter()
                    .map(|c| coord! { x: c.x / k, y: c.y })
                    .collect();
                cells[i] = Some(Polygon::new(close_ring(ring), vec![]));
            }
        }
    }
    communes
        .iter()
        .zip(cells)
        .zip(&centroids)
        .map(|((c, cell), &site)| {
            if let Some(cell) = cell {
                let lod0 = clean_multipolygon(&cell.intersection(outline[0]), LOD_DECIMALS[0]);
                if !lod0.0.is_empty() && lod0.intersects(&Point::from(site)) {
                    let mut lod1 =
                        clean_multipolygon(&cell.intersection(outline[1]), LOD_DECIMALS[1]);
                    if lod1.0.is_empty() {
                        lod1 = clean_multipolygon(&lod0, LOD_DECIMALS[1]);
                    }
                    return CommuneShape {
                        shape: Shape::Voronoi,
                        lod: [lod0, lod1],
                    };
                }
            }
            let area = c.area_km2.max(MIN_DISC_AREA_KM2);
            let d = |lod: usize| {
                clean_multipolygon(
                    &MultiPolygon::new(vec![disc_with_area(
                        site,
                        area,
                        COMMUNE_DISC_VERTICES[lod],
                    )]),
                    LOD_DECIMALS[lod],
                )
            };
            CommuneShape {
                shape: Shape::Disc,
                lod: [d(0), d(1)],
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/// A number with at most `decimals` decimals, trailing zeros dropped.
pub fn format_number(v: f64, decimals: u32) -> String {
    let mut s = format!("{:.*}", decimals as usize, round_to(v, decimals));
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" { "0".to_string() } else { s }
}

fn write_ring(out: &mut String, ring: &LineString<f64>, decimals: u32) {
    out.push('[');
    for (i, c) in ring.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&format_number(c.x, decimals));
        out.push(',');
        out.push_str(&format_number(c.y, decimals));
        out.push(']');
    }
    out.push(']');
}

/// Compact GeoJSON `FeatureCollection` of `MultiPolygon` features, one feature
/// per line, properties serialized in field order, coordinates with at most
/// `decimals` decimals.
pub fn write_polygon_collection<P: Serialize>(
    features: &[(P, &MultiPolygon<f64>)],
    decimals: u32,
) -> Result<String> {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, (props, mp)) in features.iter().enumerate() {
        out.push_str("{\"type\":\"Feature\",\"properties\":");
        out.push_str(&serde_json::to_string(props)?);
        out.push_str(",\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[");
        for (pi, p) in mp.0.iter().enumerate() {
            if pi > 0 {
                out.push(',');
            }
            out.push('[');
            for (ri, r) in std::iter::once(p.exterior())
                .chain(p.interiors())
                .enumerate()
            {
                if ri > 0 {
                    out.push(',');
                }
                write_ring(&mut out, r, decimals);
            }
            out.push(']');
        }
        out.push_str("]}}");
        out.push_str(if i + 1 < features.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    Ok(out)
}

/// Compact GeoJSON `FeatureCollection` of `Point` features.
pub fn write_point_collection<P: Serialize>(
    features: &[(P, Coord<f64>)],
    decimals: u32,
) -> Result<String> {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, (props, c)) in features.iter().enumerate() {
        out.push_str("{\"type\":\"Feature\",\"properties\":");
        out.push_str(&serde_json::to_string(props)?);
        out.push_str(&format!(
            ",\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{},{}]}}}}",
            format_number(c.x, decimals),
            format_number(c.y, decimals)
        ));
        out.push_str(if i + 1 < features.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    Ok(out)
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Properties of a province feature.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ProvinceProps {
    pub code: String,
    pub name: String,
    pub area_km2: f64,
    pub synthetic: bool,
}

/// Properties of a commune feature.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct CommuneProps {
    pub code: String,
    pub name: String,
    pub province: String,
    pub area_km2: f64,
    pub synthetic: bool,
    pub shape: String,
}

/// The input files, by name relative to `geodata/`, with their bytes.
pub struct InputFiles {
    pub provinces_geojson: Vec<u8>,
    pub merger_txt: Vec<u8>,
    pub communes_csv: Vec<u8>,
    pub readme: Vec<u8>,
}

/// Input file names, relative to the `geodata/` folder.
pub const INPUT_NAMES: [&str; 4] = [
    "inputs/vn63_prov_ne10m.geojson",
    "inputs/merger_63_to_34.txt",
    "inputs/communes_2025_centroids.csv",
    "inputs/README.md",
];

impl InputFiles {
    /// Reads the inputs from `dir` (the `geodata/` folder).
    pub fn read(dir: &std::path::Path) -> Result<InputFiles> {
        let r = |n: &str| {
            std::fs::read(dir.join(n)).with_context(|| format!("reading {}", dir.join(n).display()))
        };
        Ok(InputFiles {
            provinces_geojson: r(INPUT_NAMES[0])?,
            merger_txt: r(INPUT_NAMES[1])?,
            communes_csv: r(INPUT_NAMES[2])?,
            readme: r(INPUT_NAMES[3])?,
        })
    }

    fn named(&self) -> [(&'static str, &[u8]); 4] {
        [
            (INPUT_NAMES[0], &self.provinces_geojson),
            (INPUT_NAMES[1], &self.merger_txt),
            (INPUT_NAMES[2], &self.communes_csv),
            (INPUT_NAMES[3], &self.readme),
        ]
    }
}

/// Everything [`derive`] makes: file name (in `derived/`) → bytes, in order,
/// plus a few numbers worth reporting.
pub struct Derived {
    pub files: Vec<(String, Vec<u8>)>,
    pub disc_communes: Vec<String>,
    pub notes: Vec<String>,
}

#[derive(Serialize)]
struct ManifestFile {
    file: String,
    features: usize,
    bytes: usize,
    sha256: String,
}

#[derive(Serialize)]
struct ManifestInput {
    file: String,
    bytes: usize,
    sha256: String,
}

#[derive(Serialize)]
struct ManifestParams {
    lod_tolerance_deg: [f64; 3],
    lod_decimals: [u32; 3],
    island_disc_radius_km: f64,
    island_disc_vertices: [usize; 3],
    commune_disc_vertices: [usize; 2],
    min_disc_area_km2: f64,
}

#[derive(Serialize)]
struct Manifest {
    generator: &'static str,
    note: &'static str,
    parameters: ManifestParams,
    inputs: Vec<ManifestInput>,
    outputs: Vec<ManifestFile>,
}

fn utf8(bytes: &[u8], name: &str) -> Result<String> {
    String::from_utf8(bytes.to_vec()).with_context(|| format!("{name} is not UTF-8"))
}

/// Builds every file of `geodata/derived/` from the inputs.
pub fn derive(inputs: &InputFiles) -> Result<Derived> {
    let old = read_old_provinces(&utf8(&inputs.provinces_geojson, INPUT_NAMES[0])?)?;
    let merger = parse_merger(&utf8(&inputs.merger_txt, INPUT_NAMES[1])?)?;
    let communes = read_communes(&utf8(&inputs.communes_csv, INPUT_NAMES[2])?)?;
    ensure!(
        old.len() == 63,
        "expected 63 old provinces, found {}",
        old.len()
    );
    ensure!(
        merger.len() == 34,
        "expected 34 provinces in the merger list, found {}",
        merger.len()
    );
    let provinces = build_provinces(&old, &merger)?;
    let mut notes = Vec::new();

    // provinces at three levels, borders shared, then the archipelagos added
    let mainlands: Vec<MultiPolygon<f64>> = provinces.iter().map(|p| p.mainland.clone()).collect();
    let levels = simplify_collection_levels(&mainlands);
    let mut province_files = Vec::new();
    for lod in 0..3 {
        let geoms: Vec<MultiPolygon<f64>> = provinces
            .iter()
            .zip(&levels)
            .map(|(p, l)| {
                let islands = match p.code.as_str() {
                    HOANG_SA_PROVINCE => HOANG_SA_ISLANDS,
                    TRUONG_SA_PROVINCE => TRUONG_SA_ISLANDS,
                    _ => return l[lod].clone(),
                };
                let mut mp = l[lod].clone();
                mp.0.extend(archipelago_geometry(islands, lod).0);
                clean_multipolygon(&mp, LOD_DECIMALS[lod])
            })
            .collect();
        let feats: Vec<(ProvinceProps, &MultiPolygon<f64>)> = provinces
            .iter()
            .zip(&geoms)
            .map(|(p, g)| {
                (
                    ProvinceProps {
                        code: p.code.clone(),
                        name: p.name.clone(),
                        area_km2: round_to(geodesic_area_km2(&p.mainland), 1),
                        synthetic: false,
                    },
                    g,
                )
            })
            .collect();
        for (p, g) in &feats {
            ensure!(!g.0.is_empty(), "province {} is empty at lod{lod}", p.code);
            if !g.is_valid() {
                notes.push(format!("province {} is not valid at lod{lod}", p.code));
            }
        }
        province_files.push((
            format!("provinces.lod{lod}.geojson"),
            feats.len(),
            write_polygon_collection(&feats, LOD_DECIMALS[lod])?,
        ));
    }

    // communes
    let province_codes: BTreeSet<&str> = provinces.iter().map(|p| p.code.as_str()).collect();
    let mut by_province: BTreeMap<&str, Vec<&Commune>> = BTreeMap::new();
    for c in &communes {
        ensure!(
            province_codes.contains(c.province_code.as_str()),
            "commune {} is in unknown province {}",
            c.code,
            c.province_code
        );
        by_province
            .entry(c.province_code.as_str())
            .or_default()
            .push(c);
    }
    let mut shaped: Vec<(&Commune, CommuneShape)> = Vec::with_capacity(communes.len());
    for (p, l) in provinces.iter().zip(&levels) {
        let list = by_province
            .get(p.code.as_str())
            .cloned()
            .unwrap_or_default();
        let shapes = commune_shapes(&list, [&l[0], &l[1]]);
        shaped.extend(list.into_iter().zip(shapes));
    }
    shaped.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    let disc_communes: Vec<String> = shaped
        .iter()
        .filter(|(_, s)| s.shape == Shape::Disc)
        .map(|(c, _)| format!("{} {} ({})", c.code, c.name, c.province_code))
        .collect();
    let mut commune_files = Vec::new();
    for (lod, &decimals) in LOD_DECIMALS.iter().enumerate().take(2) {
        let feats: Vec<(CommuneProps, &MultiPolygon<f64>)> = shaped
            .iter()
            .map(|(c, s)| {
                (
                    CommuneProps {
                        code: c.code.clone(),
                        name: c.name.clone(),
                        province: c.province_code.clone(),
                        area_km2: c.area_km2,
                        synthetic: true,
                        shape: s.shape.as_str().to_string(),
                    },
                    &s.lod[lod],
                )
            })
            .collect();
        let invalid = feats.iter().filter(|(_, g)| !g.is_valid()).count();
        if invalid > 0 {
            notes.push(format!("{invalid} commune cells are not valid at lod{lod}"));
        }
        commune_files.push((
            format!("communes.lod{lod}.geojson"),
            feats.len(),
            write_polygon_collection(&feats, decimals)?,
        ));
    }

    let arch = archipelagos();
    let arch_feats: Vec<(&Archipelago, Coord<f64>)> = arch
        .iter()
        .map(|a| (a, coord! { x: a.lon, y: a.lat }))
        .collect();
    let arch_file = (
        "archipelagos.geojson".to_string(),
        2,
        write_point_collection(&arch_feats, 5)?,
    );

    let mut files: Vec<(String, usize, String)> = Vec::new();
    files.push(arch_file);
    files.extend(commune_files);
    files.extend(province_files);
    files.sort_by(|a, b| a.0.cmp(&b.0));

    let manifest = Manifest {
        generator: "geodata (cargo run -p geodata --release)",
        note: "Provinces: union of Natural Earth 10m admin-1 polygons (public domain) per the 2025 merger list, \
               plus symbolic island discs for Hoàng Sa (48) and Trường Sa (56). Communes: SYNTHETIC Voronoi cells \
               of geocoded centroids clipped to the province, or discs of the official area. See geodata/README.md.",
        parameters: ManifestParams {
            lod_tolerance_deg: LOD_TOLERANCE_DEG,
            lod_decimals: LOD_DECIMALS,
            island_disc_radius_km: ISLAND_DISC_RADIUS_KM,
            island_disc_vertices: ISLAND_DISC_VERTICES,
            commune_disc_vertices: COMMUNE_DISC_VERTICES,
            min_disc_area_km2: MIN_DISC_AREA_KM2,
        },
        inputs: inputs
            .named()
            .iter()
            .map(|(n, b)| ManifestInput {
                file: n.to_string(),
                bytes: b.len(),
                sha256: sha256_hex(b),
            })
            .collect(),
        outputs: files
            .iter()
            .map(|(n, count, text)| ManifestFile {
                file: n.clone(),
                features: *count,
                bytes: text.len(),
                sha256: sha256_hex(text.as_bytes()),
            })
            .collect(),
    };
    let mut manifest_text = serde_json::to_string_pretty(&manifest)?;
    manifest_text.push('\n');

    let mut out: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(n, _, t)| (n, t.into_bytes()))
        .collect();
    out.push(("manifest.json".to_string(), manifest_text.into_bytes()));
    Ok(Derived {
        files: out,
        disc_communes,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Contains, Distance};

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<Coord<f64>> {
        vec![
            coord! { x: x0, y: y0 },
            coord! { x: x1, y: y0 },
            coord! { x: x1, y: y1 },
            coord! { x: x0, y: y1 },
        ]
    }

    fn poly(ring: Vec<Coord<f64>>) -> Polygon<f64> {
        Polygon::new(close_ring(ring), vec![])
    }

    #[test]
    fn half_plane_splits_square_into_known_areas() {
        let sq = square(0.0, 0.0, 2.0, 2.0);
        // bisector of (0,1)-(2,1) is x = 1: each half has area 2
        let left = clip_half_plane(&sq, coord! { x: 0.0, y: 1.0 }, coord! { x: 2.0, y: 1.0 });
        let right = clip_half_plane(&sq, coord! { x: 2.0, y: 1.0 }, coord! { x: 0.0, y: 1.0 });
        assert_eq!(ring_signed_area(&left), 2.0);
        assert_eq!(ring_signed_area(&right), 2.0);
        assert!(left.iter().all(|c| c.x <= 1.0));
        // bisector of (0,0)-(2,2) is the anti-diagonal x + y = 2: two triangles of area 2
        let low = clip_half_plane(&sq, coord! { x: 0.0, y: 0.0 }, coord! { x: 2.0, y: 2.0 });
        assert_eq!(low.len(), 3);
        assert!((ring_signed_area(&low) - 2.0).abs() < 1e-12);
        // bisector of (0,0)-(4,0) is x = 2, the square's edge: nothing removed
        let all = clip_half_plane(&sq, coord! { x: 0.0, y: 0.0 }, coord! { x: 4.0, y: 0.0 });
        assert_eq!(ring_signed_area(&all), 4.0);
        // bisector of (3,0)-(5,0) is x = 4: the site's side misses the square
        let none = clip_half_plane(&sq, coord! { x: 5.0, y: 0.0 }, coord! { x: 3.0, y: 0.0 });
        assert!(none.is_empty());
        // a quarter split: (0.5,0.5) vs (1.5,0.5) then vs (0.5,1.5) gives the 1x1 corner
        let q = clip_half_plane(&sq, coord! { x: 0.5, y: 0.5 }, coord! { x: 1.5, y: 0.5 });
        let q = clip_half_plane(&q, coord! { x: 0.5, y: 0.5 }, coord! { x: 0.5, y: 1.5 });
        assert_eq!(ring_signed_area(&q), 1.0);
    }

    #[test]
    fn voronoi_of_four_points_is_four_quadrants() {
        let sites = [
            coord! { x: 1.0, y: 1.0 },
            coord! { x: 3.0, y: 1.0 },
            coord! { x: 1.0, y: 3.0 },
            coord! { x: 3.0, y: 3.0 },
        ];
        let bounds = geo::Rect::new(coord! { x: 0.0, y: 0.0 }, coord! { x: 4.0, y: 4.0 });
        let cells = voronoi_cells(&sites, bounds);
        for (cell, site) in cells.iter().zip(&sites) {
            assert!((ring_signed_area(cell) - 4.0).abs() < 1e-12, "{cell:?}");
            assert!(poly(cell.clone()).contains(&Point::from(*site)));
        }
        // a duplicated site has no cell
        let dup = voronoi_cells(&[sites[0], sites[0], sites[1]], bounds);
        assert!(dup[0].is_empty() && dup[1].is_empty());
        assert!((ring_signed_area(&dup[2]) - 8.0).abs() < 1e-12);
    }

    #[test]
    fn voronoi_cells_tile_the_box() {
        // a deterministic scatter of 60 points: the cells cover the box exactly
        let sites: Vec<Coord<f64>> = (0..60)
            .map(|i| {
                let t = i as f64;
                coord! { x: (t * 0.618_033_988_75).fract() * 10.0, y: (t * 0.414_213_562_37 + 0.1).fract() * 6.0 }
            })
            .collect();
        let bounds = geo::Rect::new(coord! { x: -1.0, y: -1.0 }, coord! { x: 11.0, y: 7.0 });
        let cells = voronoi_cells(&sites, bounds);
        let total: f64 = cells.iter().map(|c| ring_signed_area(c)).sum();
        assert!((total - 96.0).abs() < 1e-9, "{total}");
        for (c, s) in cells.iter().zip(&sites) {
            // every vertex of the cell is no closer to another site than to its own
            for v in c {
                let own = dist(*v, *s);
                assert!(sites.iter().all(|o| dist(*v, *o) >= own - 1e-9));
            }
        }
    }

    #[test]
    fn disc_has_the_requested_area_and_radius() {
        let center = coord! { x: 106.0, y: 21.0 };
        for (area, n) in [(1.0, 32), (305.0, 32), (7.7, 16)] {
            let d = disc_with_area(center, area, n);
            assert_eq!(d.exterior().0.len(), n + 1);
            let got = d.geodesic_area_unsigned() / 1e6;
            assert!((got - area).abs() / area < 1e-3, "{got} vs {area}");
            assert!(d.contains(&Point::from(center)));
        }
        // a 10 km circumradius: first vertex 10 km due east
        let d = disc(center, 10.0, 4);
        let p0 = d.exterior().0[0];
        assert_eq!(p0.y, center.y);
        let east_km = geo::Geodesic.distance(Point::from(center), Point::from(p0)) / 1e3;
        assert!((east_km - 10.0).abs() < 0.01, "{east_km}");
        // a square of circumradius r has area 2 r²
        let a = d.geodesic_area_unsigned() / 1e6;
        assert!((a - 200.0).abs() < 0.5, "{a}");
    }

    #[test]
    fn parses_merger_lines() {
        let text = "new provinces 34 old provinces covered 63\n\
                    08 Tỉnh Tuyên Quang  <=  Tỉnh Hà Giang (02) + Tỉnh Tuyên Quang (08)\n\
                    01 Thành phố Hà Nội  <=  Thành phố Hà Nội (01)\n\
                    unchanged 11 merged-new 23\n";
        let m = parse_merger(text).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].code, "01");
        assert_eq!(m[1].name, "Tỉnh Tuyên Quang");
        assert_eq!(
            m[1].old,
            vec![
                ("02".to_string(), "Tỉnh Hà Giang".to_string()),
                ("08".to_string(), "Tỉnh Tuyên Quang".to_string())
            ]
        );
    }

    #[test]
    fn formats_numbers_compactly() {
        assert_eq!(format_number(105.838_004, 5), "105.838");
        assert_eq!(format_number(21.0, 5), "21");
        assert_eq!(format_number(-0.000_001, 4), "0");
        assert_eq!(format_number(1.234_56, 4), "1.2346");
    }

    #[test]
    fn douglas_peucker_keeps_ends_and_far_points() {
        let pts: Vec<Coord<f64>> = [
            (0.0, 0.0),
            (1.0, 0.01),
            (2.0, -0.01),
            (3.0, 1.0),
            (4.0, 0.0),
        ]
        .iter()
        .map(|&(x, y)| coord! { x: x, y: y })
        .collect();
        let s = douglas_peucker(&pts, 0.1, false);
        // (1, 0.01) is within 0.1 of the chord (0,0)-(2,-0.01); (2,-0.01) is not within 0.1 of (0,0)-(3,1)
        assert_eq!(s, vec![pts[0], pts[2], pts[3], pts[4]]);
        assert_eq!(
            douglas_peucker(&pts, 0.9, false),
            vec![pts[0], pts[3], pts[4]]
        );
        assert_eq!(douglas_peucker(&pts, 1.0, false), vec![pts[0], pts[4]]);
        assert_eq!(douglas_peucker(&pts, 0.0, false).len(), 5);
    }

    #[test]
    fn segment_conflicts() {
        let (a, b, c, d) = ((0, 0), (10, 0), (5, -5), (5, 5));
        assert!(segments_conflict(a, b, c, d)); // crossing
        assert!(!segments_conflict(a, b, b, (10, 10))); // shared end point
        assert!(segments_conflict(a, b, (5, 0), (5, 5))); // T
        assert!(segments_conflict(a, b, (3, 0), (12, 0))); // overlap
        assert!(!segments_conflict(a, b, b, (20, 0))); // collinear, touching ends
        assert!(segments_conflict(a, b, b, (4, 0))); // spike back
        assert!(!segments_conflict(a, b, (0, 1), (10, 1))); // parallel
    }

    /// Two unit-ish squares side by side whose shared edge is wiggly; simplified
    /// together, the shared border stays identical and the union has no holes.
    #[test]
    fn shared_borders_stay_shared() {
        let mut border: Vec<Coord<f64>> = Vec::new();
        for i in 0..=100 {
            let y = i as f64 / 100.0;
            let x = 1.0 + 0.001 * ((i * 7 % 5) as f64 - 2.0);
            border.push(coord! { x: x, y: y });
        }
        let mut left = vec![coord! { x: 0.0, y: 1.0 }, coord! { x: 0.0, y: 0.0 }];
        left.extend(border.iter().copied());
        let mut right: Vec<Coord<f64>> = border.iter().rev().copied().collect();
        right.extend([coord! { x: 2.0, y: 0.0 }, coord! { x: 2.0, y: 1.0 }]);
        let geoms = vec![
            MultiPolygon::new(vec![poly(left)]),
            MultiPolygon::new(vec![poly(right)]),
            // a small island of the left one that vanishes at 0.02
            MultiPolygon::new(vec![poly(square(5.0, 5.0, 5.001, 5.001))]),
        ];
        let s = simplify_collection(&geoms, 0.02, 4);
        assert!(s[0].is_valid() && s[1].is_valid());
        assert!(s[0].0[0].exterior().0.len() <= 6, "{:?}", s[0]);
        let a = s[0].unsigned_area() + s[1].unsigned_area();
        let u = s[0].union(&s[1]).unsigned_area();
        assert!((a - 2.0).abs() < 1e-9 && (u - 2.0).abs() < 1e-9, "{a} {u}");
        // the lone tiny square would vanish, so it is kept as it was
        assert_eq!(s[2].0.len(), 1);
        // simplify_levels on one geometry
        let [l0, l1, l2] = simplify_levels(&geoms[0]);
        assert!(l0.is_valid() && l1.is_valid() && l2.is_valid());
        assert!(l2.0[0].exterior().0.len() <= l0.0[0].exterior().0.len());
    }

    #[test]
    fn islets_vanish_but_features_do_not() {
        let main = poly(square(0.0, 0.0, 1.0, 1.0));
        let islet = poly(square(2.0, 2.0, 2.001, 2.001));
        let g = MultiPolygon::new(vec![main, islet]);
        let s = simplify_collection(std::slice::from_ref(&g), 0.02, 4);
        assert_eq!(s[0].0.len(), 1);
        assert_eq!(s[0].unsigned_area(), 1.0);
    }

    #[test]
    fn commune_shapes_tile_a_square_province() {
        let province = MultiPolygon::new(vec![poly(square(0.0, 10.0, 0.2, 10.2))]);
        let mk = |code: &str, lat: f64, lon: f64| Commune {
            province_code: "01".into(),
            province: "P".into(),
            code: code.into(),
            name: code.into(),
            lat,
            lon,
            area_km2: 4.0,
        };
        let cs = [
            mk("1", 10.05, 0.05),
            mk("2", 10.15, 0.15),
            mk("3", 10.05, 0.15),
            mk("4", 11.0, 0.0),
        ];
        let refs: Vec<&Commune> = cs.iter().collect();
        let shapes = commune_shapes(&refs, [&province, &province]);
        let shapes_kind: Vec<Shape> = shapes.iter().map(|s| s.shape).collect();
        assert_eq!(
            shapes_kind,
            [Shape::Voronoi, Shape::Voronoi, Shape::Voronoi, Shape::Disc]
        );
        let total: f64 = shapes[..3].iter().map(|s| s.lod[0].unsigned_area()).sum();
        assert!((total - 0.04).abs() < 1e-9, "{total}");
        for (s, c) in shapes.iter().zip(&cs) {
            assert!(s.lod[0].intersects(&Point::from(c.centroid())));
        }
        let disc_area = geodesic_area_km2(&shapes[3].lod[0]);
        assert!((disc_area - 4.0).abs() < 0.01, "{disc_area}");
    }
}
