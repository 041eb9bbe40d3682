//! Wall displays: the screens of the video-conference room. Each display is a read-only bearer
//! token scoped to a unit, with the scenes it rotates through and how long each one stays.
//! A display reads only what its scenes show; it never writes and never exports.

use crate::UnitCode;
pub use crate::refusal::Refusal;
use crate::refusal::refuse;
use serde::{Deserialize, Serialize};

/// The shortest time a scene stays on the wall, in seconds (a room must be able to read it).
pub const MIN_INTERVAL: i32 = 8;
/// The longest, in seconds.
pub const MAX_INTERVAL: i32 = 600;
/// The time a scene stays when nothing else is said.
pub const DEFAULT_INTERVAL: i32 = 20;
/// The most scenes one display rotates through.
pub const MAX_SCENES: usize = 12;
/// The longest display name, in characters.
pub const MAX_NAME: usize = 80;

/// One scene of the rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scene {
    /// The display unit's figures: the year so far against last year and the targets.
    Overview,
    /// The map of the display unit's provinces (or communes) by how far they are on plan.
    Map,
    /// The open alerts, most severe first.
    Alerts,
    /// The directives' progress.
    Directives,
    /// One chosen unit's figures (a province, a committee), within the display's scope.
    Unit { unit: String },
}

impl Scene {
    /// The scene's kind as the API writes it.
    pub fn kind(&self) -> &'static str {
        match self {
            Scene::Overview => "overview",
            Scene::Map => "map",
            Scene::Alerts => "alerts",
            Scene::Directives => "directives",
            Scene::Unit { .. } => "unit",
        }
    }
}

/// The scenes a new display rotates through.
pub fn default_scenes() -> Vec<Scene> {
    vec![
        Scene::Overview,
        Scene::Map,
        Scene::Alerts,
        Scene::Directives,
    ]
}

/// What a wall needs to run: `GET /display`, read with the display's own token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisplaySetup {
    pub id: i64,
    pub name: String,
    /// The display's scope unit.
    pub unit: String,
    pub unit_name: String,
    pub scenes: Vec<Scene>,
    /// Seconds each scene stays.
    pub interval_seconds: i32,
    /// The wall's language: `vi` or `en`.
    pub lang: String,
    /// The server's clock, RFC 3339 (the wall's clock follows the server's, not the device's).
    pub server_time: String,
}

/// A display as the administrators' screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisplayRecord {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub unit_name: String,
    pub scenes: Vec<Scene>,
    pub interval_seconds: i32,
    pub lang: String,
    pub created_at: String,
    pub created_by: String,
    /// When the display last fetched its setup (RFC 3339), if ever.
    pub last_seen: Option<String>,
    /// When its token was revoked (RFC 3339): the wall shows a neutral screen from then on.
    pub revoked_at: Option<String>,
}

/// The body of `POST /displays` and `PUT /displays/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DisplayEdit {
    pub name: String,
    /// The display's scope unit (on creation; a display keeps its scope for life).
    #[serde(default)]
    pub unit: Option<String>,
    pub scenes: Vec<Scene>,
    #[serde(default = "default_interval")]
    pub interval_seconds: i32,
    #[serde(default)]
    pub lang: Option<String>,
}

fn default_interval() -> i32 {
    DEFAULT_INTERVAL
}

/// The answer to `POST /displays`: the display and its token, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisplayCreated {
    pub display: DisplayRecord,
    /// The bearer token: stored only as a hash, never shown again.
    pub token: String,
    /// Where the wall opens, relative to the server (the token rides in the fragment, which a
    /// browser never sends to any server nor in a referrer).
    pub url: String,
}

impl DisplayEdit {
    /// Checks the edit; the first fault, naming its field (`scenes[2].unit`).
    pub fn check(&self) -> Result<(), Refusal> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(refuse("name", "give the display a name"));
        }
        if name.chars().count() > MAX_NAME {
            return Err(refuse("name", format!("at most {MAX_NAME} characters")));
        }
        if let Some(unit) = &self.unit {
            UnitCode::parse(unit).map_err(|e| refuse("unit", e.to_string()))?;
        }
        if self.scenes.is_empty() {
            return Err(refuse("scenes", "choose at least one scene"));
        }
        if self.scenes.len() > MAX_SCENES {
            return Err(refuse("scenes", format!("at most {MAX_SCENES} scenes")));
        }
        for (i, scene) in self.scenes.iter().enumerate() {
            if let Scene::Unit { unit } = scene {
                UnitCode::parse(unit)
                    .map_err(|e| refuse(format!("scenes[{i}].unit"), e.to_string()))?;
            }
        }
        if !(MIN_INTERVAL..=MAX_INTERVAL).contains(&self.interval_seconds) {
            return Err(refuse(
                "interval_seconds",
                format!("from {MIN_INTERVAL} to {MAX_INTERVAL} seconds"),
            ));
        }
        if let Some(lang) = &self.lang
            && lang != "vi"
            && lang != "en"
        {
            return Err(refuse("lang", "'vi' or 'en'"));
        }
        Ok(())
    }
}

/// Where a display's wall opens for `token`.
pub fn wall_url(token: &str) -> String {
    format!("/display#token={token}")
}

/// The token in a wall's URL fragment (`#token=ovs_…`), if there is one.
pub fn token_from_fragment(fragment: &str) -> Option<String> {
    fragment
        .trim_start_matches('#')
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .map(str::trim)
        // Tokens are `ovs_` and URL-safe base64: letters, digits, `-` and `_`.
        .filter(|t| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
        .map(str::to_string)
}

/// Which of `count` scenes is on the wall `elapsed_ms` after the rotation started, each staying
/// `interval_s` seconds.
pub fn scene_at(count: usize, interval_s: i32, elapsed_ms: u64) -> usize {
    if count == 0 {
        return 0;
    }
    let step = u64::try_from(interval_s.max(1)).unwrap_or(1) * 1000;
    usize::try_from(elapsed_ms / step).map_or(0, |n| n % count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(scenes: Vec<Scene>) -> DisplayEdit {
        DisplayEdit {
            name: "Phòng họp trực tuyến".into(),
            unit: Some("VN".into()),
            scenes,
            interval_seconds: 20,
            lang: None,
        }
    }

    #[test]
    fn scenes_read_and_write_as_the_api_spells_them() {
        let scenes: Vec<Scene> = serde_json::from_str(
            r#"[{"kind":"overview"},{"kind":"map"},{"kind":"unit","unit":"01"}]"#,
        )
        .unwrap();
        assert_eq!(
            scenes,
            vec![
                Scene::Overview,
                Scene::Map,
                Scene::Unit { unit: "01".into() }
            ]
        );
        assert_eq!(
            serde_json::to_string(&Scene::Alerts).unwrap(),
            r#"{"kind":"alerts"}"#
        );
        assert!(serde_json::from_str::<Scene>(r#"{"kind":"weather"}"#).is_err());
        assert!(serde_json::from_str::<Scene>(r#"{"kind":"unit"}"#).is_err());
    }

    #[test]
    fn edits_are_refused_naming_the_field() {
        assert_eq!(edit(default_scenes()).check(), Ok(()));
        let e = edit(vec![]).check().unwrap_err();
        assert_eq!(e.field, "scenes");
        let e = edit(vec![Scene::Map, Scene::Unit { unit: "1x".into() }])
            .check()
            .unwrap_err();
        assert_eq!(e.field, "scenes[1].unit");
        let mut slow = edit(default_scenes());
        slow.interval_seconds = 3;
        assert_eq!(slow.check().unwrap_err().field, "interval_seconds");
        slow.interval_seconds = 601;
        assert_eq!(slow.check().unwrap_err().field, "interval_seconds");
        let mut blank = edit(default_scenes());
        blank.name = "   ".into();
        assert_eq!(blank.check().unwrap_err().field, "name");
        let mut lang = edit(default_scenes());
        lang.lang = Some("fr".into());
        assert_eq!(lang.check().unwrap_err().field, "lang");
        let mut unit = edit(default_scenes());
        unit.unit = Some("".into());
        assert_eq!(unit.check().unwrap_err().field, "unit");
        let many = edit(vec![Scene::Map; MAX_SCENES + 1]);
        assert_eq!(many.check().unwrap_err().field, "scenes");
    }

    #[test]
    fn the_token_rides_in_the_fragment() {
        let url = wall_url("ovs_AbC123");
        assert_eq!(url, "/display#token=ovs_AbC123");
        assert_eq!(
            token_from_fragment("#token=ovs_AbC123"),
            Some("ovs_AbC123".into())
        );
        assert_eq!(
            token_from_fragment("#lang=en&token=ovs_x"),
            Some("ovs_x".into())
        );
        assert_eq!(
            token_from_fragment("#token=ovs_a-b_C9"),
            Some("ovs_a-b_C9".into())
        );
        assert_eq!(token_from_fragment(""), None);
        assert_eq!(token_from_fragment("#token="), None);
        assert_eq!(token_from_fragment("#token=<script>"), None);
    }

    #[test]
    fn scenes_rotate_every_interval_and_wrap() {
        assert_eq!(scene_at(4, 20, 0), 0);
        assert_eq!(scene_at(4, 20, 19_999), 0);
        assert_eq!(scene_at(4, 20, 20_000), 1);
        assert_eq!(scene_at(4, 20, 79_999), 3);
        assert_eq!(scene_at(4, 20, 80_000), 0);
        assert_eq!(scene_at(0, 20, 5_000), 0);
        assert_eq!(scene_at(3, 0, 2_500), 2);
    }
}
