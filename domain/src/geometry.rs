//! Geometry on the sphere that both the server and the map need.

/// Mean Earth radius in kilometres (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance between two (lat, lon) points in degrees, in kilometres.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
}

/// The point `km` from (lat, lon) in direction `bearing` (degrees clockwise from north).
pub fn destination(lat: f64, lon: f64, km: f64, bearing: f64) -> (f64, f64) {
    let d = km / EARTH_RADIUS_KM;
    let (p1, l1, b) = (lat.to_radians(), lon.to_radians(), bearing.to_radians());
    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * b.cos()).asin();
    let l2 = l1 + (b.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
    (p2.to_degrees(), l2.to_degrees())
}

/// A closed ring of `n` + 1 (lat, lon) points at `km` around (lat, lon): a radius drawn on a map.
pub fn circle(lat: f64, lon: f64, km: f64, n: usize) -> Vec<(f64, f64)> {
    let n = n.max(3);
    (0..=n)
        .map(|i| destination(lat, lon, km, (i % n) as f64 * 360.0 / n as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_circle_is_at_its_radius_all_round() {
        let ring = circle(21.0285, 105.8542, 25.0, 64);
        assert_eq!(ring.len(), 65);
        assert_eq!(ring.first(), ring.last());
        for (lat, lon) in &ring {
            let d = haversine_km(21.0285, 105.8542, *lat, *lon);
            assert!((d - 25.0).abs() < 1e-6, "{d}");
        }
        // Due north is straight up: same longitude, about 0.2248 degrees of latitude.
        assert!((ring[0].1 - 105.8542).abs() < 1e-9);
        assert!(
            (ring[0].0 - 21.0285 - 0.22483).abs() < 1e-4,
            "{:?}",
            ring[0]
        );
    }

    #[test]
    fn hanoi_to_ho_chi_minh_city_is_about_1140_km() {
        let d = haversine_km(21.0285, 105.8542, 10.7769, 106.7009);
        assert!((d - 1139.0).abs() < 5.0, "{d}");
    }

    #[test]
    fn a_point_is_at_zero_from_itself() {
        assert_eq!(haversine_km(16.0, 108.0, 16.0, 108.0), 0.0);
    }
}
