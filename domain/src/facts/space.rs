//! The spatial selections (a radius, a drawn polygon) as one rule shared by the client's filter
//! [`Engine`](super::Engine) and the server's `GET /cases?near=&polygon=`: a case's location is
//! taken as the facts table carries it, quantized to 16 bits a coordinate, so that both give
//! exactly the same answer for the same case.

use super::engine::point_in_polygon;
use super::{LAT_MAX, LAT_MIN, LON_MAX, LON_MIN, lat_of, lon_of, quantize_lat, quantize_lon};
use crate::geometry::haversine_km;

/// Most vertices a selection polygon may have.
pub const MAX_POLYGON_VERTICES: usize = 500;

/// A location as the facts table carries it: quantized, then read back in degrees.
pub fn as_quantized(lat: f64, lon: f64) -> (f64, f64) {
    (lat_of(quantize_lat(lat)), lon_of(quantize_lon(lon)))
}

/// Whether the (already quantized) location is within `km` of the centre, by great circle.
pub fn within_km(lat: f64, lon: f64, centre_lat: f64, centre_lon: f64, km: f64) -> bool {
    haversine_km(lat, lon, centre_lat, centre_lon) <= km
}

/// Whether a case at (lat, lon) is within `km` of the centre, its location quantized first.
pub fn within_radius(lat: f64, lon: f64, centre_lat: f64, centre_lon: f64, km: f64) -> bool {
    let (lat, lon) = as_quantized(lat, lon);
    within_km(lat, lon, centre_lat, centre_lon, km)
}

/// Whether a polygon can select anything: at least 3 vertices, all finite.
pub fn is_polygon(polygon: &[(f64, f64)]) -> bool {
    polygon.len() >= 3
        && polygon
            .iter()
            .all(|(lat, lon)| lat.is_finite() && lon.is_finite())
}

/// Whether a case at (lat, lon) is inside the polygon, its location quantized first; a polygon
/// that [`is_polygon`] refuses selects nothing.
pub fn within_polygon(lat: f64, lon: f64, polygon: &[(f64, f64)]) -> bool {
    let (lat, lon) = as_quantized(lat, lon);
    is_polygon(polygon) && point_in_polygon(lat, lon, polygon)
}

/// A box of degrees, both ends included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub lat_min: f64,
    pub lat_max: f64,
    pub lon_min: f64,
    pub lon_max: f64,
}

/// Margin around a selection's box, in degrees: four quantization steps and more, so that no
/// case whose quantized location passes lies outside the widened box by its stored location.
const MARGIN_DEG: f64 = 0.01;

impl Bounds {
    /// A box that holds every stored location that [`within_radius`] may select (`None`: nothing
    /// can be selected).
    pub fn of_radius(centre_lat: f64, centre_lon: f64, km: f64) -> Option<Bounds> {
        if !(km >= 0.0 && centre_lat.is_finite() && centre_lon.is_finite() && km.is_finite()) {
            return None;
        }
        // A degree of latitude is at least 111.19 km of great circle; a degree of longitude at
        // least that times the cosine of the farthest latitude in the band.
        let dlat = km / 111.0 + MARGIN_DEG;
        let far = (centre_lat.abs() + dlat).min(89.0).to_radians().cos();
        let dlon = dlat / far;
        Some(Bounds {
            lat_min: centre_lat - dlat,
            lat_max: centre_lat + dlat,
            lon_min: centre_lon - dlon,
            lon_max: centre_lon + dlon,
        })
    }

    /// A box that holds every stored location that [`within_polygon`] may select (`None`:
    /// nothing can be selected).
    pub fn of_polygon(polygon: &[(f64, f64)]) -> Option<Bounds> {
        if !is_polygon(polygon) {
            return None;
        }
        let mut b = Bounds {
            lat_min: f64::MAX,
            lat_max: f64::MIN,
            lon_min: f64::MAX,
            lon_max: f64::MIN,
        };
        for &(lat, lon) in polygon {
            b.lat_min = b.lat_min.min(lat);
            b.lat_max = b.lat_max.max(lat);
            b.lon_min = b.lon_min.min(lon);
            b.lon_max = b.lon_max.max(lon);
        }
        Some(b.widened(MARGIN_DEG))
    }

    fn widened(self, d: f64) -> Bounds {
        Bounds {
            lat_min: self.lat_min - d,
            lat_max: self.lat_max + d,
            lon_min: self.lon_min - d,
            lon_max: self.lon_max + d,
        }
    }

    /// The box cut to the quantization box (where every stored location lies), or `None` when
    /// they do not meet. Quantization clamps to that box, so cutting loses nothing.
    pub fn within_quantization_box(self) -> Option<Bounds> {
        let b = Bounds {
            lat_min: self.lat_min.max(LAT_MIN),
            lat_max: self.lat_max.min(LAT_MAX),
            lon_min: self.lon_min.max(LON_MIN),
            lon_max: self.lon_max.min(LON_MAX),
        };
        (b.lat_min <= b.lat_max && b.lon_min <= b.lon_max).then_some(b)
    }

    /// Whether the box holds the point.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.lat_min..=self.lat_max).contains(&lat) && (self.lon_min..=self.lon_max).contains(&lon)
    }
}

#[cfg(test)]
mod tests {
    use super::super::synth::Rng;
    use super::super::{Dimension, Engine, FactRow, Facts, Filter, NO_COMMUNE, NO_PROVINCE};
    use super::*;

    #[test]
    fn a_radius_tests_the_quantized_location() {
        // Hanoi, and a point 10 km north of it.
        let (lat, lon) = (21.0285, 105.8542);
        let north = lat + 10.0 / 111.195;
        assert!(within_radius(lat, lon, lat, lon, 0.1));
        assert!(within_radius(north, lon, lat, lon, 10.05));
        assert!(!within_radius(north, lon, lat, lon, 9.95));
        assert!(!within_radius(lat, lon, lat, lon, -1.0));
        assert!(!within_radius(lat, lon, lat, lon, f64::NAN));
        // The quantized location is at most half a step (about 14 m) from the stored one.
        let (qa, qo) = as_quantized(lat, lon);
        assert!(haversine_km(qa, qo, lat, lon) < 0.02);
    }

    #[test]
    fn a_polygon_selects_its_inside_and_too_few_vertices_select_nothing() {
        let square = [(10.0, 105.0), (10.0, 106.0), (11.0, 106.0), (11.0, 105.0)];
        assert!(within_polygon(10.5, 105.5, &square));
        assert!(!within_polygon(11.5, 105.5, &square));
        assert!(!within_polygon(10.5, 105.5, &square[..2]));
        assert!(!within_polygon(
            10.5,
            105.5,
            &[(10.0, 105.0), (10.0, f64::NAN), (11.0, 106.0)]
        ));
    }

    #[test]
    fn the_boxes_hold_every_selected_location() {
        let b = Bounds::of_radius(16.0, 108.0, 50.0).unwrap();
        assert!(b.lat_min < 16.0 - 50.0 / 111.195 && b.lat_max > 16.0 + 50.0 / 111.195);
        assert!(Bounds::of_radius(16.0, 108.0, -1.0).is_none());
        let p = Bounds::of_polygon(&[(10.0, 105.0), (12.0, 106.0), (11.0, 107.0)]).unwrap();
        assert!(p.contains(10.0, 105.0) && p.contains(12.0, 107.0) && !p.contains(12.1, 107.0));
        let far = Bounds::of_radius(40.0, 140.0, 10.0).unwrap();
        assert_eq!(far.within_quantization_box(), None);
    }

    /// Locations scattered over the country, some on the quantization box's edges.
    fn locations(n: usize, seed: u64) -> Vec<(f64, f64)> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|i| match i % 50 {
                0 => (LAT_MIN, rng.range(LON_MIN, LON_MAX)),
                1 => (rng.range(LAT_MIN, LAT_MAX), LON_MAX),
                _ => (rng.range(8.5, 23.5), rng.range(102.5, 117.5)),
            })
            .collect()
    }

    fn engine_of(locations: &[(f64, f64)]) -> Engine {
        let mut f = Facts::default();
        for (i, &(lat, lon)) in locations.iter().enumerate() {
            f.push(FactRow {
                id: i as u32,
                lat: quantize_lat(lat),
                lon: quantize_lon(lon),
                province: NO_PROVINCE,
                commune: NO_COMMUNE,
                ..FactRow::default()
            });
        }
        Engine::new(f).unwrap()
    }

    fn selected(e: &Engine) -> Vec<u32> {
        let mut ids: Vec<u32> = e.selected_rows().map(|r| e.facts().id(r)).collect();
        ids.sort();
        ids
    }

    #[test]
    fn the_engine_and_the_predicates_select_the_same_cases() {
        let locs = locations(20_000, 11);
        let mut e = engine_of(&locs);
        let mut rng = Rng::new(5);
        let (mut in_radius, mut in_polygon) = (0, 0);
        for _ in 0..40 {
            let (lat, lon) = (rng.range(8.0, 24.0), rng.range(102.0, 118.0));
            let km = rng.range(0.5, 300.0);
            e.set_filter(Dimension::Space, Filter::Radius { lat, lon, km })
                .unwrap();
            let expected: Vec<u32> = (0..locs.len() as u32)
                .filter(|&i| {
                    let (a, o) = locs[i as usize];
                    within_radius(a, o, lat, lon, km)
                })
                .collect();
            assert_eq!(selected(&e), expected, "radius {km} km at {lat},{lon}");
            in_radius += expected.len();
            let b = Bounds::of_radius(lat, lon, km).unwrap();
            assert!(expected.iter().all(|&i| {
                let (a, o) = locs[i as usize];
                b.contains(a, o)
            }));

            // A star-shaped polygon around the same centre, concave between its points.
            let n = 3 + rng.below(12) as usize;
            let polygon: Vec<(f64, f64)> = (0..n)
                .map(|k| {
                    let t = k as f64 / n as f64 * std::f64::consts::TAU;
                    let r = if k % 2 == 0 { 1.0 } else { rng.range(0.2, 1.0) } * km / 111.0;
                    (lat + r * t.sin(), lon + r * t.cos())
                })
                .collect();
            e.set_filter(Dimension::Space, Filter::Lasso(polygon.clone()))
                .unwrap();
            let expected: Vec<u32> = (0..locs.len() as u32)
                .filter(|&i| {
                    let (a, o) = locs[i as usize];
                    within_polygon(a, o, &polygon)
                })
                .collect();
            assert_eq!(selected(&e), expected, "polygon of {n} vertices");
            in_polygon += expected.len();
            let b = Bounds::of_polygon(&polygon).unwrap();
            assert!(expected.iter().all(|&i| {
                let (a, o) = locs[i as usize];
                b.contains(a, o)
            }));
        }
        // The selections were not all empty.
        assert!(
            in_radius > 10_000 && in_polygon > 5_000,
            "{in_radius} {in_polygon}"
        );
    }
}
