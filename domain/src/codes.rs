//! Unit codes (contract: `VN` the centre, `TW1`..`TW6` the committees under it, two digits a
//! province, five digits a commune) and the codes the demo gives to grassroots organizations
//! (`CCCCC_GG`) and cells (`CCCCC_GG_NN`). One place parses them all.

use crate::vocab::UnitLevel;
use serde::{Deserialize, Serialize};

/// Why a text is not a unit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a unit code (VN, TW1..TW6, 2 digits for a province, 5 for a commune)")]
pub struct UnitCodeError(pub String);

/// A syntactically valid unit code, with the level its shape implies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

fn all_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

impl UnitCode {
    /// Parses a unit code, checking its shape only (not that the unit exists).
    pub fn parse(s: &str) -> Result<Self, UnitCodeError> {
        let s = s.trim();
        if Self::level_of(s).is_some() {
            Ok(UnitCode(s.to_string()))
        } else {
            Err(UnitCodeError(s.chars().take(40).collect()))
        }
    }

    fn level_of(s: &str) -> Option<UnitLevel> {
        if s == "VN" {
            return Some(UnitLevel::Central);
        }
        if let Some(n) = s.strip_prefix("TW") {
            return matches!(n, "1" | "2" | "3" | "4" | "5" | "6").then_some(UnitLevel::Committee);
        }
        if all_digits(s, 2) {
            return Some(UnitLevel::Province);
        }
        if all_digits(s, 5) {
            return Some(UnitLevel::Commune);
        }
        let parts: Vec<&str> = s.split('_').collect();
        match parts.as_slice() {
            [c, g] if all_digits(c, 5) && all_digits(g, 2) => Some(UnitLevel::Grassroots),
            [c, g, n] if all_digits(c, 5) && all_digits(g, 2) && all_digits(n, 2) => {
                Some(UnitLevel::Cell)
            }
            _ => None,
        }
    }

    /// The level this code's shape implies.
    pub fn level(&self) -> UnitLevel {
        Self::level_of(&self.0).unwrap_or(UnitLevel::Central)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The commune a grassroots organization or cell belongs to, read from its code.
    pub fn commune(&self) -> Option<&str> {
        match self.level() {
            UnitLevel::Commune => Some(&self.0),
            UnitLevel::Grassroots | UnitLevel::Cell => Some(&self.0[..5]),
            _ => None,
        }
    }
}

impl TryFrom<String> for UnitCode {
    type Error = UnitCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        UnitCode::parse(&s)
    }
}

impl From<UnitCode> for String {
    fn from(c: UnitCode) -> String {
        c.0
    }
}

impl std::fmt::Display for UnitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shape_has_its_level() {
        let level = |s: &str| UnitCode::parse(s).unwrap().level();
        assert_eq!(level("VN"), UnitLevel::Central);
        assert_eq!(level("TW3"), UnitLevel::Committee);
        assert_eq!(level("01"), UnitLevel::Province);
        assert_eq!(level("79"), UnitLevel::Province);
        assert_eq!(level("00004"), UnitLevel::Commune);
        assert_eq!(level("00004_03"), UnitLevel::Grassroots);
        assert_eq!(level("00004_03_12"), UnitLevel::Cell);
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "", "vn", "TW7", "TW0", "1", "001", "0004", "00004_3", "00004-03", "01;DROP",
        ] {
            assert!(UnitCode::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn lower_units_know_their_commune() {
        assert_eq!(
            UnitCode::parse("00004_03_12").unwrap().commune(),
            Some("00004")
        );
        assert_eq!(UnitCode::parse("01").unwrap().commune(), None);
    }
}
