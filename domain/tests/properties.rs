//! Property tests of the domain's parsers of outside input: report periods, cadences, file
//! formats and languages (query parameters and bodies of `/reports`), unit codes (every `unit`
//! parameter and ingest field), the vocabularies (filters and records), a wall's URL fragment,
//! the bodies of display and procedure edits, and the facts payload the browser decodes.
//!
//! Each parser: never panics on any text (or bytes); refuses naming the field; and where there
//! is a writer, what it writes reads back equal. `PROPTEST_CASES` sets the cases per property
//! (default [`CASES`]); failures are not persisted: a case found becomes a named unit test.

use chrono::Datelike;
use domain::display::{self, DisplayEdit};
use domain::facts::{self, FactRow, Facts};
use domain::format::Lang;
use domain::procedures::ProcedureEdit;
use domain::report::{self, Cadence, FileFormat, ReportPeriod};
use domain::{
    CaseKind, CaseStatus, DisciplineForm, Role, Sector, SubjectType, TargetMeasure, TaskStatus,
    UnitCode, UnitLevel, ViolationCategory,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, contextualize_config};

/// Cases per property unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 256;

/// [`CASES`] cases (or `PROPTEST_CASES`), no failure files.
fn config() -> Config {
    contextualize_config(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Text that looks like a period, or nearly: digits, dashes, `Q`, blanks.
fn period_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ \t]{0,2}[0-9]{0,5}(-[Qq]?[0-9]{0,3})?[ \t]{0,2}",
        "[0-9Qq\\- ]{0,10}",
        any::<String>(),
    ]
}

/// A valid period, any cadence, in the years reports cover.
fn a_period() -> impl Strategy<Value = ReportPeriod> {
    (report::YEARS, 0usize..3, 1u32..=12).prop_map(|(year, cadence, i)| {
        match cadence {
            0 => ReportPeriod::month(year, i),
            1 => ReportPeriod::quarter(year, (i - 1) / 3 + 1),
            _ => ReportPeriod::year(year),
        }
        .expect("generated within bounds")
    })
}

/// A valid unit code of any level.
fn a_unit_code() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("VN".to_string()),
        (1u8..=6).prop_map(|n| format!("TW{n}")),
        "[0-9]{2}",
        "[0-9]{5}",
        "[0-9]{5}_[0-9]{2}",
        "[0-9]{5}_[0-9]{2}_[0-9]{2}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_period_is_read_or_refused_naming_period(s in period_like()) {
        match s.parse::<ReportPeriod>() {
            Ok(p) => {
                prop_assert!(report::YEARS.contains(&p.year));
                prop_assert!(p.first_day() <= p.last_day());
                prop_assert_eq!(p.to_string().parse::<ReportPeriod>(), Ok(p));
                // What it accepts is what it says, up to blanks and the case of `q`.
                prop_assert_eq!(p.to_string(), s.trim().replace('q', "Q"));
            }
            Err(e) => {
                prop_assert_eq!(e.field, "period");
                prop_assert!(!e.reason.is_empty());
            }
        }
    }

    #[test]
    fn a_period_round_trips_through_its_text_and_json(p in a_period()) {
        let text = p.to_string();
        prop_assert_eq!(text.parse::<ReportPeriod>(), Ok(p));
        prop_assert_eq!(format!(" {} ", text.to_lowercase()).parse::<ReportPeriod>(), Ok(p));
        let json = serde_json::to_string(&p).expect("a period serializes");
        prop_assert_eq!(serde_json::from_str::<ReportPeriod>(&json).ok(), Some(p));
        prop_assert_eq!(p.first_day().year(), p.year);
        prop_assert_eq!(p.last_day().year(), p.year);
        prop_assert!(!p.label(Lang::Vi).is_empty() && !p.label(Lang::En).is_empty());
    }

    #[test]
    fn cadences_formats_and_languages_are_words_or_refusals(s in any::<String>()) {
        match s.parse::<Cadence>() {
            Ok(c) => prop_assert_eq!(c.as_str(), s.trim()),
            Err(e) => prop_assert_eq!(e.field, "cadence"),
        }
        match s.parse::<FileFormat>() {
            Ok(f) => prop_assert_eq!(f.as_str(), s.trim()),
            Err(e) => prop_assert_eq!(e.field, "format"),
        }
        match report::parse_lang("lang", Some(&s)) {
            Ok(Lang::Vi) => prop_assert!(matches!(s.trim(), "" | "vi")),
            Ok(Lang::En) => prop_assert_eq!(s.trim(), "en"),
            Err(e) => prop_assert_eq!(e.field, "lang"),
        }
    }

    #[test]
    fn a_unit_code_is_read_or_refused(s in prop_oneof![a_unit_code(), "[0-9TWVN_ ]{0,12}", any::<String>()]) {
        match UnitCode::parse(&s) {
            Ok(code) => {
                prop_assert_eq!(code.as_str(), s.trim());
                prop_assert_eq!(UnitCode::parse(code.as_str()), Ok(code.clone()));
                prop_assert!(code.as_str().is_ascii());
                let json = serde_json::to_string(&code).expect("a code serializes");
                prop_assert_eq!(serde_json::from_str::<UnitCode>(&json).ok(), Some(code));
            }
            Err(e) => prop_assert!(e.0.chars().count() <= 40),
        }
    }

    #[test]
    fn every_valid_unit_code_is_accepted_with_its_level(code in a_unit_code()) {
        let parsed = UnitCode::parse(&code);
        prop_assert!(parsed.is_ok(), "{code}");
        let level = parsed.map(|c| c.level()).unwrap_or(UnitLevel::Central);
        let expected = match code.len() {
            2 if code == "VN" => UnitLevel::Central,
            2 => UnitLevel::Province,
            3 => UnitLevel::Committee,
            5 => UnitLevel::Commune,
            8 => UnitLevel::Grassroots,
            _ => UnitLevel::Cell,
        };
        prop_assert_eq!(level, expected);
    }

    #[test]
    fn vocabulary_words_are_exactly_their_spelling(s in prop_oneof![
        proptest::sample::select(all_words()).prop_map(str::to_string),
        "[a-z_ ]{0,30}",
        any::<String>(),
    ]) {
        fn check<T: std::str::FromStr<Err = domain::UnknownWord> + std::fmt::Display>(
            s: &str,
        ) -> Result<(), TestCaseError> {
            match s.parse::<T>() {
                Ok(w) => prop_assert_eq!(w.to_string(), s),
                Err(e) => {
                    prop_assert!(e.value.chars().count() <= 64);
                    prop_assert!(!e.allowed.is_empty());
                }
            }
            Ok(())
        }
        check::<CaseKind>(&s)?;
        check::<Sector>(&s)?;
        check::<CaseStatus>(&s)?;
        check::<SubjectType>(&s)?;
        check::<DisciplineForm>(&s)?;
        check::<ViolationCategory>(&s)?;
        check::<Role>(&s)?;
        check::<TaskStatus>(&s)?;
        check::<TargetMeasure>(&s)?;
        check::<UnitLevel>(&s)?;
    }

    #[test]
    fn a_fragment_gives_only_a_url_safe_token(s in prop_oneof![
        "#?(token=)?[A-Za-z0-9_\\-&= %#]{0,40}",
        any::<String>(),
    ]) {
        if let Some(t) = display::token_from_fragment(&s) {
            prop_assert!(!t.is_empty());
            prop_assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
            prop_assert!(s.contains("token=") && s.contains(t.as_str()));
        }
    }

    #[test]
    fn a_token_round_trips_through_the_walls_url(token in "ovs_[A-Za-z0-9_\\-]{1,60}", other in "[a-z]{1,8}=[a-z0-9]{0,8}") {
        let url = display::wall_url(&token);
        let fragment = url.split_once('#').map(|(_, f)| f).unwrap_or("");
        prop_assert_eq!(display::token_from_fragment(fragment), Some(token.clone()));
        prop_assert_eq!(display::token_from_fragment(&format!("#{other}&{fragment}")), Some(token));
    }

    #[test]
    fn a_display_edit_is_read_and_checked_or_refused_naming_its_field(body in edit_body(display_fields())) {
        let known = ["name", "unit", "scenes", "interval_seconds", "lang"];
        match serde_json::from_str::<DisplayEdit>(&body) {
            Ok(edit) => {
                if let Err(r) = edit.check() {
                    prop_assert!(
                        known.contains(&r.field.as_str())
                            || (r.field.starts_with("scenes[") && r.field.ends_with("].unit")),
                        "{}", r.field
                    );
                    prop_assert!(!r.reason.is_empty());
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn a_procedure_edit_is_read_and_checked_or_refused_naming_its_field(body in edit_body(procedure_fields())) {
        if let Ok(edit) = serde_json::from_str::<ProcedureEdit>(&body)
            && let Err(r) = edit.check()
        {
            let step_field = r
                .field
                .strip_prefix("steps[")
                .and_then(|rest| rest.split_once("]."))
                .is_some_and(|(i, f)| {
                    i.parse::<usize>().is_ok()
                        && ["code", "name", "role", "days", "escalate_after"].contains(&f)
                });
            prop_assert!(["name", "steps"].contains(&r.field.as_str()) || step_field, "{}", r.field);
        }
    }

    #[test]
    fn a_facts_payload_decodes_or_is_refused(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(f) = facts::decode(&bytes) {
            prop_assert!(f.validate().is_ok());
        }
    }

    #[test]
    fn a_corrupted_facts_payload_decodes_or_is_refused(
        rows in proptest::collection::vec(a_fact_row(), 0..40),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut f = Facts::with_capacity(rows.len());
        for r in rows {
            f.push(r);
        }
        let mut bytes = facts::encode(&f);
        prop_assert_eq!(facts::decode(&bytes).ok(), Some(f));
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(d) = facts::decode(&bytes) {
            prop_assert!(d.validate().is_ok());
        }
    }
}

/// Every word of the vocabularies above.
fn all_words() -> Vec<&'static str> {
    let mut w: Vec<&'static str> = Vec::new();
    w.extend(CaseKind::ALL.iter().map(|v| v.as_str()));
    w.extend(Sector::ALL.iter().map(|v| v.as_str()));
    w.extend(CaseStatus::ALL.iter().map(|v| v.as_str()));
    w.extend(SubjectType::ALL.iter().map(|v| v.as_str()));
    w.extend(DisciplineForm::ALL.iter().map(|v| v.as_str()));
    w.extend(ViolationCategory::ALL.iter().map(|v| v.as_str()));
    w.extend(Role::ALL.iter().map(|v| v.as_str()));
    w.extend(TaskStatus::ALL.iter().map(|v| v.as_str()));
    w.extend(TargetMeasure::ALL.iter().map(|v| v.as_str()));
    w.extend(UnitLevel::ALL.iter().map(|v| v.as_str()));
    w
}

/// A JSON value that is often of the wrong type for a field: huge and negative numbers, floats,
/// long and odd strings, nulls, arrays, objects.
fn wrong_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|x| json!(x)),
        Just(json!(i32::MAX as i64 + 1)),
        Just(json!(-1)),
        Just(json!(1e300)),
        any::<String>().prop_map(Value::String),
        "[a-z0-9_ ]{0,12}".prop_map(Value::String),
        (1usize..3000).prop_map(|n| Value::String("đ".repeat(n))),
    ];
    leaf.prop_recursive(2, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A field of an edit body and a value for it, good or bad.
type FieldValue = (String, serde_json::Value);

fn display_fields() -> BoxedStrategy<FieldValue> {
    use serde_json::json;
    let scene = prop_oneof![
        proptest::sample::select(vec!["overview", "map", "alerts", "directives"])
            .prop_map(|k| json!({"kind": k})),
        (a_unit_code(), any::<String>()).prop_flat_map(|(good, any)| {
            proptest::sample::select(vec![good, any])
                .prop_map(|u| json!({"kind": "unit", "unit": u}))
        }),
        wrong_value(),
    ];
    prop_oneof![
        any::<String>().prop_map(|s| ("name".to_string(), json!(s))),
        a_unit_code().prop_map(|s| ("unit".to_string(), json!(s))),
        proptest::collection::vec(scene, 0..14)
            .prop_map(|v| ("scenes".to_string(), serde_json::Value::Array(v))),
        any::<i64>().prop_map(|n| ("interval_seconds".to_string(), json!(n))),
        (0i64..700).prop_map(|n| ("interval_seconds".to_string(), json!(n))),
        "(vi|en|[a-z]{0,3})".prop_map(|s| ("lang".to_string(), json!(s))),
        (
            proptest::sample::select(vec![
                "name",
                "unit",
                "scenes",
                "interval_seconds",
                "lang",
                "x"
            ]),
            wrong_value()
        )
            .prop_map(|(k, v)| (k.to_string(), v)),
    ]
    .boxed()
}

fn procedure_fields() -> BoxedStrategy<FieldValue> {
    use serde_json::json;
    let step = (
        "[a-z0-9_]{0,42}|\\PC{0,5}",
        any::<String>(),
        "(leader|analyst|data_officer|admin|display|[a-z]{0,6})",
        -5i32..4000,
        -5i32..4000,
    )
        .prop_map(|(code, name, role, days, escalate)| {
            json!({"code": code, "name": name, "role": role, "days": days, "escalate_after": escalate})
        });
    prop_oneof![
        any::<String>().prop_map(|s| ("name".to_string(), json!(s))),
        proptest::collection::vec(prop_oneof![step, wrong_value()], 0..33)
            .prop_map(|v| ("steps".to_string(), serde_json::Value::Array(v))),
        any::<i64>().prop_map(|n| ("version".to_string(), json!(n))),
        (
            proptest::sample::select(vec!["name", "steps", "version", "x"]),
            wrong_value()
        )
            .prop_map(|(k, v)| (k.to_string(), v)),
    ]
    .boxed()
}

/// A JSON body made of some of the fields (later ones win), or now and then any text at all.
fn edit_body(fields: BoxedStrategy<FieldValue>) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(fields, 0..6).prop_map(|fs| {
            serde_json::Value::Object(fs.into_iter().collect()).to_string()
        }),
        1 => any::<String>(),
    ]
}

/// A row of the facts table with fields in their ranges.
fn a_fact_row() -> impl Strategy<Value = FactRow> {
    (
        0u16..20_000,
        0u8..8,
        0u8..12,
        0u8..4,
        0u8..6,
        0u16..512,
        0u32..1_000_000,
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(
            |(day, kind, sector, status, discipline, categories, amount, lat, lon)| FactRow {
                day,
                kind,
                sector,
                status,
                discipline,
                categories,
                amount,
                lat,
                lon,
                province: facts::NO_PROVINCE,
                commune: facts::NO_COMMUNE,
                ..FactRow::default()
            },
        )
}
