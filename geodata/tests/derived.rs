//! Checks on the committed files of `geodata/derived/` (and on the inputs).
//! Run `cargo run -p geodata --release` first if the inputs or the code changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use geo::{Area, BooleanOps, Intersects, MultiPolygon, Point, Validation, coord};
use geodata::*;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn features(
    rel: &str,
) -> Vec<(
    serde_json::Map<String, serde_json::Value>,
    MultiPolygon<f64>,
)> {
    read_multipolygon_features(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e:#}"))
}

fn communes() -> Vec<Commune> {
    read_communes(&read("inputs/communes_2025_centroids.csv")).unwrap()
}

fn merger() -> Vec<Merger> {
    parse_merger(&read("inputs/merger_63_to_34.txt")).unwrap()
}

fn s<'a>(props: &'a serde_json::Map<String, serde_json::Value>, k: &str) -> &'a str {
    props[k]
        .as_str()
        .unwrap_or_else(|| panic!("{k} is not a string"))
}

#[test]
fn provinces_are_34_valid_features_at_every_lod() {
    let m = merger();
    for lod in 0..3 {
        let f = features(&format!("derived/provinces.lod{lod}.geojson"));
        assert_eq!(f.len(), 34, "lod{lod}");
        for ((props, g), m) in f.iter().zip(&m) {
            assert_eq!(s(props, "code"), m.code);
            assert_eq!(s(props, "name"), m.name);
            assert_eq!(props["synthetic"], serde_json::Value::Bool(false));
            assert!(props["area_km2"].as_f64().unwrap() > 800.0);
            assert!(!g.0.is_empty(), "{} lod{lod} is empty", m.code);
            assert!(
                g.is_valid(),
                "{} lod{lod}: {:?}",
                m.code,
                g.validation_errors()
            );
            for p in &g.0 {
                for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                    assert!(r.is_closed() && r.0.len() >= 4);
                }
            }
        }
    }
}

/// Simplified levels keep shared borders shared: the provinces do not overlap.
#[test]
fn simplified_provinces_do_not_overlap() {
    for lod in 0..3 {
        let geoms: Vec<MultiPolygon<f64>> =
            features(&format!("derived/provinces.lod{lod}.geojson"))
                .into_iter()
                .map(|(_, g)| g)
                .collect();
        let sum: f64 = geoms.iter().map(|g| g.unsigned_area()).sum();
        let union = geo::unary_union(geoms.iter()).unsigned_area();
        assert!(
            (sum - union).abs() < sum * 1e-9,
            "lod{lod}: {sum} vs {union}"
        );
    }
}

#[test]
fn union_preserves_the_area_of_the_old_provinces() {
    let old = read_old_provinces(&read("inputs/vn63_prov_ne10m.geojson")).unwrap();
    let provinces = build_provinces(&old, &merger()).unwrap();
    assert_eq!(provinces.len(), 34);
    let committed = features("derived/provinces.lod0.geojson");
    for (p, (props, _)) in provinces.iter().zip(&committed) {
        let sum: f64 = old
            .iter()
            .filter(|o| p.old_codes.contains(&o.old_code))
            .map(|o| geodesic_area_km2(&o.geometry))
            .sum();
        let area = geodesic_area_km2(&p.mainland);
        assert!(
            (area - sum).abs() / sum < 0.005,
            "{}: {area} vs {sum}",
            p.code
        );
        assert!(p.mainland.is_valid(), "{}", p.code);
        assert_eq!(s(props, "code"), p.code);
        assert_eq!(props["area_km2"].as_f64().unwrap(), round_to(area, 1));
    }
}

#[test]
fn every_commune_appears_exactly_once() {
    let csv: BTreeMap<String, Commune> = communes()
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect();
    assert_eq!(csv.len(), 3321);
    for lod in 0..2 {
        let f = features(&format!("derived/communes.lod{lod}.geojson"));
        assert_eq!(f.len(), 3321);
        let mut seen = BTreeSet::new();
        for (props, g) in &f {
            let code = s(props, "code");
            assert!(seen.insert(code.to_string()), "{code} twice");
            let c = &csv[code];
            assert_eq!(s(props, "name"), c.name);
            assert_eq!(s(props, "province"), c.province_code);
            assert_eq!(props["area_km2"].as_f64().unwrap(), c.area_km2);
            assert_eq!(props["synthetic"], serde_json::Value::Bool(true));
            assert!(["voronoi", "disc"].contains(&s(props, "shape")));
            assert!(!g.0.is_empty(), "{code} lod{lod} is empty");
            assert!(g.is_valid(), "{code} lod{lod}: {:?}", g.validation_errors());
        }
        assert_eq!(seen.len(), 3321);
    }
}

#[test]
fn typed_reading_of_the_shipped_files() {
    let p: Vec<(ProvinceProps, MultiPolygon<f64>)> =
        read_features(&read("derived/provinces.lod2.geojson")).unwrap();
    assert_eq!(p.len(), 34);
    assert_eq!(p[0].0.code, "01");
    assert!(!p[0].0.synthetic);
    let c: Vec<(CommuneProps, MultiPolygon<f64>)> =
        read_features(&read("derived/communes.lod1.geojson")).unwrap();
    assert_eq!(c.len(), 3321);
    assert!(
        c.iter()
            .all(|(p, _)| p.synthetic && p.code.len() == 5 && p.province.len() == 2)
    );
}

#[test]
fn every_commune_centroid_is_inside_its_own_shape() {
    let csv: BTreeMap<String, Commune> = communes()
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect();
    let mut discs = 0;
    for (props, g) in features("derived/communes.lod0.geojson") {
        let c = &csv[s(&props, "code")];
        assert!(
            g.intersects(&Point::from(c.centroid())),
            "{} {}",
            c.code,
            c.name
        );
        discs += usize::from(s(&props, "shape") == "disc");
    }
    // islands, offshore special zones and centroids that the 1:10m borders put
    // in a neighbouring province: a small minority
    assert!((13..=150).contains(&discs), "{discs} discs");
}

#[test]
fn voronoi_cells_lie_inside_their_province() {
    let provinces: BTreeMap<String, MultiPolygon<f64>> = features("derived/provinces.lod0.geojson")
        .into_iter()
        .map(|(p, g)| (s(&p, "code").to_string(), g))
        .collect();
    let mut by_province: BTreeMap<String, f64> = BTreeMap::new();
    for (props, g) in features("derived/communes.lod0.geojson") {
        if s(&props, "shape") != "voronoi" {
            continue;
        }
        let province = &provinces[s(&props, "province")];
        let area = g.unsigned_area();
        let inside = g.intersection(province).unsigned_area();
        // coordinates are rounded to 1e-5°: a vertex where a bisector meets the
        // border may move off it by up to 0.71e-5°, so allow a strip of that width
        let perimeter: f64 =
            g.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|r| r.lines())
                .map(|l| l.dx().hypot(l.dy()))
                .sum();
        assert!(
            area - inside <= perimeter * 0.71e-5,
            "{}: {area} vs {inside}",
            s(&props, "code")
        );
        *by_province
            .entry(s(&props, "province").to_string())
            .or_default() += area;
    }
    // the cells of a province do not overlap: they add up to no more than it
    for (code, total) in by_province {
        let p = provinces[&code].unsigned_area();
        assert!(
            total <= p * (1.0 + 1e-5),
            "{code}: cells {total} > province {p}"
        );
    }
}

#[test]
fn archipelagos_belong_to_da_nang_and_khanh_hoa() {
    let text = read("derived/archipelagos.geojson");
    let gj: geojson::GeoJson = text.parse().unwrap();
    let fc = geojson::FeatureCollection::try_from(gj).unwrap();
    let props: Vec<(String, String, String)> = fc
        .features
        .iter()
        .map(|f| {
            let p = |k: &str| f.property(k).and_then(|v| v.as_str()).unwrap().to_string();
            (p("province"), p("name_vi"), p("name_en"))
        })
        .collect();
    assert_eq!(
        props,
        [
            (
                "48".into(),
                "Quần đảo Hoàng Sa (Đà Nẵng)".into(),
                "Hoang Sa archipelago (Da Nang)".into()
            ),
            (
                "56".into(),
                "Quần đảo Trường Sa (Khánh Hòa)".into(),
                "Truong Sa archipelago (Khanh Hoa)".into()
            ),
        ]
    );
    // every island disc is part of the right province, at every level, and of no other
    for lod in 0..3 {
        for (props, g) in features(&format!("derived/provinces.lod{lod}.geojson")) {
            let code = s(&props, "code");
            for (islands, owner) in [(HOANG_SA_ISLANDS, "48"), (TRUONG_SA_ISLANDS, "56")] {
                for i in islands {
                    let inside = g.intersects(&Point::new(i.lon, i.lat));
                    assert_eq!(inside, code == owner, "{} lod{lod} in {code}", i.name_vi);
                }
            }
        }
    }
}

#[test]
fn manifest_matches_the_committed_files() {
    let m: serde_json::Value = serde_json::from_str(&read("derived/manifest.json")).unwrap();
    let outputs = m["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 6);
    for o in outputs {
        let name = o["file"].as_str().unwrap();
        let bytes = std::fs::read(dir().join("derived").join(name)).unwrap();
        assert_eq!(o["sha256"].as_str().unwrap(), sha256_hex(&bytes), "{name}");
        assert_eq!(o["bytes"].as_u64().unwrap() as usize, bytes.len(), "{name}");
        let text = String::from_utf8(bytes).unwrap();
        let n = text
            .lines()
            .filter(|l| l.starts_with("{\"type\":\"Feature\","))
            .count();
        assert_eq!(o["features"].as_u64().unwrap() as usize, n, "{name}");
    }
    for i in m["inputs"].as_array().unwrap() {
        let name = i["file"].as_str().unwrap();
        let bytes = std::fs::read(dir().join(name)).unwrap();
        assert_eq!(
            i["sha256"].as_str().unwrap(),
            sha256_hex(&bytes),
            "{name} changed: regenerate"
        );
    }
}

#[test]
fn file_sizes_stay_small() {
    let size = |n: &str| {
        std::fs::metadata(dir().join("derived").join(n))
            .unwrap()
            .len()
    };
    assert!(size("provinces.lod0.geojson") < 1_500_000);
    assert!(size("provinces.lod2.geojson") < 150_000);
    assert!(size("communes.lod0.geojson") < 3_000_000);
}

/// Regenerates the communes of one province from the inputs and compares
/// them with the committed lines (the whole check is `geodata --check`).
#[test]
fn regenerating_hue_gives_the_committed_cells() {
    let old = read_old_provinces(&read("inputs/vn63_prov_ne10m.geojson")).unwrap();
    let provinces = build_provinces(&old, &merger()).unwrap();
    let mainlands: Vec<MultiPolygon<f64>> = provinces.iter().map(|p| p.mainland.clone()).collect();
    let levels = simplify_collection_levels(&mainlands);
    let i = provinces.iter().position(|p| p.code == "46").unwrap();
    let all = communes();
    let list: Vec<&Commune> = all.iter().filter(|c| c.province_code == "46").collect();
    let shapes = commune_shapes(&list, [&levels[i][0], &levels[i][1]]);
    let committed: BTreeMap<String, MultiPolygon<f64>> = features("derived/communes.lod0.geojson")
        .into_iter()
        .filter(|(p, _)| s(p, "province") == "46")
        .map(|(p, g)| (s(&p, "code").to_string(), g))
        .collect();
    assert_eq!(committed.len(), list.len());
    for (c, shape) in list.iter().zip(&shapes) {
        assert_eq!(committed[&c.code], shape.lod[0], "{}", c.code);
    }
    // and a point of Huế's coast is in the province at every level
    let hue = coord! { x: 107.58, y: 16.46 };
    for l in &levels[i] {
        assert!(l.intersects(&Point::from(hue)));
    }
}

/// The committed files are exactly what the inputs give (what
/// `cargo run -p geodata --release -- --check` checks).
#[test]
fn derived_files_are_up_to_date() {
    let inputs = InputFiles::read(&dir()).unwrap();
    let derived = derive(&inputs).unwrap();
    assert!(derived.notes.is_empty(), "{:?}", derived.notes);
    for (name, bytes) in &derived.files {
        let committed = std::fs::read(dir().join("derived").join(name)).unwrap_or_default();
        assert!(
            committed == *bytes,
            "derived/{name} is stale: run `cargo run -p geodata --release` and commit geodata/derived/"
        );
    }
}
