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

#[cfg(test)]
mod tests {
    use super::*;

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
