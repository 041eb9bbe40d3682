//! Urgent notices: a leader or an administrator sends a short notice to the sites under their
//! unit (the centre's are the 34 provinces and the 6 committees under it), which appears at once on
//! those sites' walls and tablets. Each site acknowledges it; the sender follows, live, which
//! sites have seen and acknowledged it, and a reminder goes to those that have not after a set time.

pub use crate::refusal::Refusal;
use crate::refusal::refuse;
use crate::{Severity, UnitCode};
use serde::{Deserialize, Serialize};

/// The longest notice text, in characters (it is read on a wall from across a room).
pub const MAX_TEXT: usize = 600;
/// The longest link to a view, in characters.
pub const MAX_LINK: usize = 300;
/// The most sites one notice goes to (the centre has 40).
pub const MAX_SITES: usize = 200;
/// The reminder's shortest and longest delay, in seconds.
pub const MIN_REMIND_S: i32 = 60;
pub const MAX_REMIND_S: i32 = 24 * 3600;
/// The delay when none is given: 15 minutes.
pub const DEFAULT_REMIND_S: i32 = 15 * 60;
/// How long a notice stays up at most, and when nothing is said, in hours.
pub const MAX_EXPIRE_H: i32 = 7 * 24;
pub const DEFAULT_EXPIRE_H: i32 = 24;

/// What the sender writes: `POST /notices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeDraft {
    /// The notice, at most 600 characters; line breaks are kept.
    pub text: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    /// The sites it goes to: units directly under the sender's unit (for the centre: the
    /// provinces `01`..`96` and the committees `TW1`..`TW6`).
    pub sites: Vec<String>,
    /// A view of this center to open with it, as a path (`/overview/01`, `/alerts?state=open`).
    #[serde(default)]
    pub link: Option<String>,
    /// The unit it concerns, within the sender's scope.
    #[serde(default)]
    pub unit: Option<String>,
    /// The alert it concerns, within the sender's scope.
    #[serde(default)]
    pub alert: Option<i64>,
    /// Seconds after which the sites that have not acknowledged it are reminded (60 to 86,400;
    /// 900 when not given).
    #[serde(default)]
    pub remind_after_seconds: Option<i32>,
    /// Hours it stays up (1 to 168; 24 when not given), unless the sender closes it earlier.
    #[serde(default)]
    pub expires_after_hours: Option<i32>,
}

/// A draft that passed [`NoticeDraft::check`]: trimmed, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedNotice {
    pub text: String,
    pub severity: Severity,
    pub sites: Vec<String>,
    pub link: Option<String>,
    pub unit: Option<String>,
    pub alert: Option<i64>,
    pub remind_after_seconds: i32,
    pub expires_after_hours: i32,
}

/// Whether `link` is a path of this center: starts with one `/`, no backslash, no control
/// character (a browser drops tabs and line breaks: `/\t/evil` would be `//evil`).
pub fn is_own_path(link: &str) -> bool {
    link.starts_with('/')
        && !link.starts_with("//")
        && !link.contains('\\')
        && !link.chars().any(|c| c.is_control())
}

impl NoticeDraft {
    /// Checks every field, naming the first refused one.
    pub fn check(&self) -> Result<CheckedNotice, Refusal> {
        let text = self.text.trim();
        if text.is_empty() {
            return Err(refuse("text", "must not be empty"));
        }
        if text.chars().count() > MAX_TEXT {
            return Err(refuse(
                "text",
                format!("must be at most {MAX_TEXT} characters"),
            ));
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(refuse(
                "text",
                "must not hold control characters other than line breaks",
            ));
        }
        let severity: Severity = self
            .severity
            .parse()
            .map_err(|_| refuse("severity", "must be one of info, warning, critical"))?;
        if self.sites.is_empty() {
            return Err(refuse("sites", "must name at least one site"));
        }
        if self.sites.len() > MAX_SITES {
            return Err(refuse(
                "sites",
                format!("must name at most {MAX_SITES} sites"),
            ));
        }
        let mut sites: Vec<String> = Vec::with_capacity(self.sites.len());
        for (i, s) in self.sites.iter().enumerate() {
            let code =
                UnitCode::parse(s).map_err(|e| refuse(format!("sites[{i}]"), format!("{e}")))?;
            let code = code.to_string();
            if sites.contains(&code) {
                return Err(refuse(format!("sites[{i}]"), "is named twice"));
            }
            sites.push(code);
        }
        let link = match self.link.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(l) if l.chars().count() > MAX_LINK => {
                return Err(refuse(
                    "link",
                    format!("must be at most {MAX_LINK} characters"),
                ));
            }
            Some(l) if !is_own_path(l) => {
                return Err(refuse(
                    "link",
                    "must be a path of this center, starting with one '/'",
                ));
            }
            Some(l) => Some(l.to_string()),
        };
        let unit = match self.unit.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => Some(
                UnitCode::parse(u)
                    .map_err(|e| refuse("unit", format!("{e}")))?
                    .to_string(),
            ),
        };
        if let Some(a) = self.alert
            && a <= 0
        {
            return Err(refuse("alert", "must be an alert's id"));
        }
        let remind = self.remind_after_seconds.unwrap_or(DEFAULT_REMIND_S);
        if !(MIN_REMIND_S..=MAX_REMIND_S).contains(&remind) {
            return Err(refuse(
                "remind_after_seconds",
                format!("must be from {MIN_REMIND_S} to {MAX_REMIND_S}"),
            ));
        }
        let expires = self.expires_after_hours.unwrap_or(DEFAULT_EXPIRE_H);
        if !(1..=MAX_EXPIRE_H).contains(&expires) {
            return Err(refuse(
                "expires_after_hours",
                format!("must be from 1 to {MAX_EXPIRE_H}"),
            ));
        }
        if i64::from(remind) >= i64::from(expires) * 3600 {
            return Err(refuse(
                "remind_after_seconds",
                "must come before the notice expires",
            ));
        }
        Ok(CheckedNotice {
            text: text.to_string(),
            severity,
            sites,
            link,
            unit,
            alert: self.alert,
            remind_after_seconds: remind,
            expires_after_hours: expires,
        })
    }
}

/// One site of a notice and what it did with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeSite {
    pub unit: String,
    pub name: String,
    /// When a screen of the site first showed it (a wall or a person's), RFC 3339.
    pub seen_at: Option<String>,
    /// Which screen: a person's username or a wall display's name.
    pub seen_by: Option<String>,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
    /// When the reminder went out (the site had not acknowledged it in time).
    pub reminded_at: Option<String>,
}

/// Where a notice is: still up, closed by its sender, or past its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    Active,
    Closed,
    Expired,
}

/// A notice as the sender's side sees it (`GET /notices`, `/notices/{id}`): every site it went
/// to that lies within the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeRecord {
    pub id: i64,
    pub text: String,
    pub severity: String,
    pub link: Option<String>,
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    pub alert: Option<i64>,
    pub sender: String,
    pub sender_unit: String,
    pub sender_unit_name: String,
    pub sent_at: String,
    pub remind_at: String,
    pub expires_at: String,
    pub closed_at: Option<String>,
    pub state: NoticeState,
    pub sites: Vec<NoticeSite>,
    pub tally: Tally,
}

/// How many of a notice's sites have seen it, acknowledged it and were reminded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    pub sites: usize,
    pub seen: usize,
    pub acknowledged: usize,
    pub reminded: usize,
    /// Reminded and still not acknowledged.
    pub overdue: usize,
}

/// Counts the sites' states.
pub fn tally(sites: &[NoticeSite]) -> Tally {
    let mut t = Tally {
        sites: sites.len(),
        ..Tally::default()
    };
    for s in sites {
        t.seen += usize::from(s.seen_at.is_some() || s.acknowledged_at.is_some());
        t.acknowledged += usize::from(s.acknowledged_at.is_some());
        t.reminded += usize::from(s.reminded_at.is_some());
        t.overdue += usize::from(s.reminded_at.is_some() && s.acknowledged_at.is_none());
    }
    t
}

/// `GET /notices`: the notices of the caller's scope, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeList {
    /// Notices sent from the caller's unit or below it.
    pub sent: Vec<NoticeRecord>,
    /// Notices sent to the site the caller belongs to (its own site's row only).
    pub received: Vec<NoticeRecord>,
    /// The sites the caller may send to (units directly under its unit), for the form; empty
    /// when the caller may not send.
    pub sites: Vec<SiteChoice>,
}

/// A unit a notice can go to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteChoice {
    pub code: String,
    pub name: String,
    /// `province`, `committee`, `commune`, ...
    pub level: String,
}

/// A notice addressed to the caller's site and still up (`GET /notices/active`): what walls and
/// tablets show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActiveNotice {
    pub id: i64,
    pub text: String,
    pub severity: String,
    pub link: Option<String>,
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    pub alert: Option<i64>,
    pub sender_unit_name: String,
    pub sent_at: String,
    pub expires_at: String,
    /// The site it came to (the caller's, or the one above the caller's unit).
    pub site: String,
    pub site_name: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
    pub reminded_at: Option<String>,
}

/// `GET /notices/active`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActiveNotices {
    pub notices: Vec<ActiveNotice>,
    /// The server's clock, RFC 3339.
    pub server_time: String,
}

/// Most severe first, then newest: the order notices are shown in.
pub fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 0,
        "warning" => 1,
        _ => 2,
    }
}

/// Whether a wall should show `notice` given what it dismissed: a wall dismisses a notice until
/// a reminder for it comes (`key` below changes then).
pub fn wall_key(notice: &ActiveNotice) -> String {
    match &notice.reminded_at {
        Some(at) => format!("{}@{}", notice.id, at),
        None => notice.id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> NoticeDraft {
        NoticeDraft {
            text: "  Họp khẩn lúc 14:00 về tình hình bão số 3.\nCác tỉnh báo cáo.  ".into(),
            severity: "critical".into(),
            sites: vec!["01".into(), "79".into(), "TW1".into()],
            link: Some("/overview/01".into()),
            unit: None,
            alert: None,
            remind_after_seconds: None,
            expires_after_hours: None,
        }
    }

    #[test]
    fn a_good_draft_is_trimmed_and_filled_in() {
        let c = draft().check().unwrap();
        assert_eq!(
            c.text,
            "Họp khẩn lúc 14:00 về tình hình bão số 3.\nCác tỉnh báo cáo."
        );
        assert_eq!(c.severity, Severity::Critical);
        assert_eq!(c.sites, ["01", "79", "TW1"]);
        assert_eq!(c.remind_after_seconds, DEFAULT_REMIND_S);
        assert_eq!(c.expires_after_hours, DEFAULT_EXPIRE_H);
        assert_eq!(c.link.as_deref(), Some("/overview/01"));
    }

    #[test]
    fn every_refusal_names_its_field() {
        type Change = Box<dyn Fn(&mut NoticeDraft)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|d| d.text = "   ".into()), "text"),
            (Box::new(|d| d.text = "x".repeat(MAX_TEXT + 1)), "text"),
            (Box::new(|d| d.text = "a\u{7}b".into()), "text"),
            (Box::new(|d| d.severity = "urgent".into()), "severity"),
            (Box::new(|d| d.sites.clear()), "sites"),
            (Box::new(|d| d.sites.push("01".into())), "sites[3]"),
            (Box::new(|d| d.sites[1] = "7".into()), "sites[1]"),
            (
                Box::new(|d| d.link = Some("https://evil.example".into())),
                "link",
            ),
            (Box::new(|d| d.link = Some("//evil.example".into())), "link"),
            (
                Box::new(|d| d.link = Some("/\t/evil.example".into())),
                "link",
            ),
            (Box::new(|d| d.unit = Some("abc".into())), "unit"),
            (Box::new(|d| d.alert = Some(0)), "alert"),
            (
                Box::new(|d| d.remind_after_seconds = Some(59)),
                "remind_after_seconds",
            ),
            (
                Box::new(|d| d.expires_after_hours = Some(0)),
                "expires_after_hours",
            ),
            (
                Box::new(|d| {
                    d.expires_after_hours = Some(1);
                    d.remind_after_seconds = Some(3600);
                }),
                "remind_after_seconds",
            ),
        ];
        for (change, field) in cases {
            let mut d = draft();
            change(&mut d);
            let r = d.check().unwrap_err();
            assert_eq!(r.field, field, "{d:?}: {}", r.reason);
            assert!(!r.reason.is_empty());
        }
    }

    #[test]
    fn the_tally_counts_an_acknowledgement_as_seen() {
        let site = |seen: bool, ack: bool, reminded: bool| NoticeSite {
            unit: "01".into(),
            name: "Hà Nội".into(),
            seen_at: seen.then(|| "t".to_string()),
            seen_by: None,
            acknowledged_at: ack.then(|| "t".to_string()),
            acknowledged_by: None,
            reminded_at: reminded.then(|| "t".to_string()),
        };
        let t = tally(&[
            site(true, true, false),
            site(false, true, true),
            site(true, false, true),
            site(false, false, false),
        ]);
        assert_eq!(
            t,
            Tally {
                sites: 4,
                seen: 3,
                acknowledged: 2,
                reminded: 2,
                overdue: 1
            }
        );
    }

    #[test]
    fn a_reminder_brings_a_dismissed_notice_back() {
        let mut n = ActiveNotice {
            id: 7,
            text: String::new(),
            severity: "warning".into(),
            link: None,
            unit: None,
            unit_name: None,
            alert: None,
            sender_unit_name: String::new(),
            sent_at: String::new(),
            expires_at: String::new(),
            site: "01".into(),
            site_name: String::new(),
            acknowledged_at: None,
            acknowledged_by: None,
            reminded_at: None,
        };
        let before = wall_key(&n);
        n.reminded_at = Some("2026-11-26T07:00:00Z".into());
        assert_ne!(before, wall_key(&n));
        assert!(severity_rank("critical") < severity_rank("warning"));
        assert!(severity_rank("warning") < severity_rank("info"));
    }
}
