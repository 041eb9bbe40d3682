//! Labels of the domain's vocabularies in Vietnamese and English (the words themselves are the
//! contract's; these are what people read).

use crate::i18n::Lang;
use domain::{CaseKind, CaseStatus, DisciplineForm, Sector, SubjectType, ViolationCategory};

fn pick(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// A case kind.
pub fn kind(k: CaseKind, lang: Lang) -> &'static str {
    match k {
        CaseKind::InspectionViolationSigns => pick(
            lang,
            "Kiểm tra khi có dấu hiệu vi phạm",
            "Inspection on signs of violation",
        ),
        CaseKind::InspectionDuty => pick(
            lang,
            "Kiểm tra thực hiện nhiệm vụ kiểm tra",
            "Inspection of inspection duties",
        ),
        CaseKind::InspectionFinance => pick(
            lang,
            "Kiểm tra tài chính đảng",
            "Inspection of party finance",
        ),
        CaseKind::AssetDeclaration => {
            pick(lang, "Xác minh kê khai tài sản", "Asset declaration check")
        }
        CaseKind::SupervisionRegular => pick(lang, "Giám sát thường xuyên", "Regular supervision"),
        CaseKind::SupervisionThematic => pick(lang, "Giám sát chuyên đề", "Thematic supervision"),
        CaseKind::Complaint => pick(lang, "Giải quyết khiếu nại", "Complaint"),
        CaseKind::Denunciation => pick(lang, "Giải quyết tố cáo", "Denunciation"),
    }
}

/// A sector.
pub fn sector(s: Sector, lang: Lang) -> &'static str {
    match s {
        Sector::Land => pick(lang, "Đất đai", "Land"),
        Sector::FinanceBudget => pick(lang, "Tài chính, ngân sách", "Finance and budget"),
        Sector::Construction => pick(lang, "Xây dựng", "Construction"),
        Sector::Investment => pick(lang, "Đầu tư", "Investment"),
        Sector::NaturalResources => pick(lang, "Tài nguyên, môi trường", "Natural resources"),
        Sector::Health => pick(lang, "Y tế", "Health"),
        Sector::Education => pick(lang, "Giáo dục", "Education"),
        Sector::Personnel => pick(lang, "Công tác cán bộ", "Personnel"),
        Sector::Enterprise => pick(lang, "Doanh nghiệp", "Enterprises"),
        Sector::PublicAdministration => pick(lang, "Hành chính công", "Public administration"),
        Sector::SecurityDefense => pick(lang, "Quốc phòng, an ninh", "Security and defence"),
        Sector::Other => pick(lang, "Lĩnh vực khác", "Other"),
    }
}

/// A case status.
pub fn status(s: CaseStatus, lang: Lang) -> &'static str {
    match s {
        CaseStatus::Planned => pick(lang, "Kế hoạch", "Planned"),
        CaseStatus::InProgress => pick(lang, "Đang tiến hành", "In progress"),
        CaseStatus::Concluded => pick(lang, "Đã kết luận", "Concluded"),
        CaseStatus::Cancelled => pick(lang, "Đã hủy", "Cancelled"),
    }
}

/// Whether a case is about an organization or a member.
pub fn subject(s: SubjectType, lang: Lang) -> &'static str {
    match s {
        SubjectType::Organization => pick(lang, "Tổ chức đảng", "Organization"),
        SubjectType::Member => pick(lang, "Đảng viên", "Member"),
    }
}

/// A discipline form, or none.
pub fn discipline(d: Option<DisciplineForm>, lang: Lang) -> &'static str {
    match d {
        None => pick(lang, "Không kỷ luật", "No discipline"),
        Some(DisciplineForm::Reprimand) => pick(lang, "Khiển trách", "Reprimand"),
        Some(DisciplineForm::Warning) => pick(lang, "Cảnh cáo", "Warning"),
        Some(DisciplineForm::Dismissal) => pick(lang, "Cách chức", "Dismissal"),
        Some(DisciplineForm::Expulsion) => pick(lang, "Khai trừ", "Expulsion"),
        Some(DisciplineForm::Dissolution) => pick(lang, "Giải tán", "Dissolution"),
    }
}

/// A violation category.
pub fn category(c: ViolationCategory, lang: Lang) -> &'static str {
    match c {
        ViolationCategory::Corruption => pick(lang, "Tham nhũng", "Corruption"),
        ViolationCategory::Wastefulness => pick(lang, "Lãng phí", "Wastefulness"),
        ViolationCategory::AssetDeclaration => pick(lang, "Kê khai tài sản", "Asset declaration"),
        ViolationCategory::LandManagement => pick(lang, "Quản lý đất đai", "Land management"),
        ViolationCategory::PublicFinance => pick(lang, "Tài chính công", "Public finance"),
        ViolationCategory::PersonnelWork => pick(lang, "Công tác cán bộ", "Personnel work"),
        ViolationCategory::PrinciplesOfOrganization => {
            pick(lang, "Nguyên tắc tổ chức", "Principles of organization")
        }
        ViolationCategory::EthicsLifestyle => {
            pick(lang, "Đạo đức, lối sống", "Ethics and lifestyle")
        }
        ViolationCategory::Other => pick(lang, "Vi phạm khác", "Other"),
    }
}

/// The label of a level of units (plural, for tables by level).
pub fn level_key(level: domain::UnitLevel) -> crate::i18n::Key {
    use crate::i18n::Key;
    match level {
        domain::UnitLevel::Central => Key::LevelCentral,
        domain::UnitLevel::Committee => Key::LevelCommittee,
        domain::UnitLevel::Province => Key::LevelProvince,
        domain::UnitLevel::Commune => Key::LevelCommune,
        domain::UnitLevel::Grassroots => Key::LevelGrassroots,
        domain::UnitLevel::Cell => Key::LevelCell,
    }
}

/// What an alert's kind is called.
pub fn alert_kind(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "target_at_risk" => pick(lang, "Chỉ tiêu có nguy cơ không đạt", "Target at risk"),
        "target_behind" => pick(lang, "Chậm tiến độ chỉ tiêu", "Behind the target's pace"),
        "communes_at_risk" => pick(lang, "Cấp xã có nguy cơ không đạt", "Communes at risk"),
        "cases_overdue" => pick(lang, "Vụ việc quá hạn", "Cases past deadline"),
        "tasks_overdue" => pick(lang, "Nhiệm vụ quá hạn", "Tasks past deadline"),
        "step_late" => pick(
            lang,
            "Nhắc việc: bước quy trình trễ hạn",
            "Reminder: a late step",
        ),
        "step_escalated" => pick(
            lang,
            "Chuyển cấp trên: bước quy trình trễ hạn",
            "Escalated: a late step",
        ),
        "anomaly" => pick(lang, "Biến động bất thường", "Anomaly"),
        "source_late" => pick(lang, "Nguồn dữ liệu gửi chậm", "Source late"),
        "source_stale" => pick(lang, "Nguồn dữ liệu ngừng gửi", "Source stale"),
        "source_failing" => pick(lang, "Nguồn dữ liệu lỗi nhiều", "Source failing"),
        _ => pick(lang, "Cảnh báo khác", "Other alert"),
    }
}

/// The kinds the alerts screen filters by, in the order it shows them.
pub const ALERT_KINDS: [&str; 11] = [
    "target_at_risk",
    "target_behind",
    "communes_at_risk",
    "cases_overdue",
    "tasks_overdue",
    "step_escalated",
    "step_late",
    "anomaly",
    "source_stale",
    "source_late",
    "source_failing",
];

/// What a measure an alert watches is called.
pub fn alert_measure(measure: &str, lang: Lang) -> &'static str {
    match measure {
        "inspections" => pick(lang, "cuộc kiểm tra", "inspections"),
        "supervisions" => pick(lang, "cuộc giám sát", "supervisions"),
        "settled_on_time" => pick(lang, "vụ việc giải quyết đúng hạn", "cases settled on time"),
        "cases_opened" => pick(lang, "vụ việc mở mới", "cases opened"),
        "violation_rate" => pick(lang, "tỷ lệ kết luận có vi phạm", "violation rate"),
        "disciplines" => pick(lang, "quyết định kỷ luật", "disciplines"),
        "amount_vnd" => pick(lang, "số tiền vi phạm", "money involved"),
        "cases_overdue" => pick(lang, "vụ việc quá hạn", "cases past deadline"),
        "tasks_overdue" => pick(lang, "nhiệm vụ quá hạn", "tasks past deadline"),
        "days_late" => pick(lang, "ngày trễ", "days late"),
        "freshness" => pick(lang, "giờ từ lần gửi cuối", "hours since the last arrival"),
        "error_rate" => pick(lang, "tỷ lệ dòng bị từ chối", "rows rejected"),
        _ => pick(lang, "chỉ số", "measure"),
    }
}

/// A value of an alert's measure as people read it: a share as a percentage, money in đồng,
/// counts whole or with one decimal.
pub fn alert_value(measure: &str, v: f64, lang: Lang) -> String {
    use domain::format;
    match measure {
        "violation_rate" | "error_rate" => format::percent(Some(v), lang),
        "amount_vnd" => format::vnd(v.round() as i64, lang),
        _ if (v - v.round()).abs() < 0.05 => format::integer(v.round() as i64, lang),
        _ => format::decimal(v, 1, lang),
    }
}

/// One sentence that says what an alert found, in `lang`, from its fields (the server's
/// `explanation` is English for API clients).
pub fn alert_sentence(a: &domain::alerts::AlertRecord, lang: Lang) -> String {
    let m = alert_measure(&a.measure, lang);
    let v = |x: Option<f64>| {
        x.map(|x| alert_value(&a.measure, x, lang))
            .unwrap_or_default()
    };
    let (e, o) = (v(a.expected), v(a.observed));
    let sector = a
        .sector
        .as_deref()
        .and_then(|s| s.parse::<Sector>().ok())
        .map(|s| format!(" · {}", sector(s, lang)))
        .unwrap_or_default();
    let s = match (a.kind.as_str(), lang) {
        ("target_at_risk", Lang::Vi) => format!("Dự báo cả năm {o} {m}, kế hoạch {e}"),
        ("target_at_risk", Lang::En) => format!("Heading for {o} {m} this year; {e} planned"),
        ("target_behind", Lang::Vi) => format!("Mới đạt {o} {m}, theo tiến độ cần {e}"),
        ("target_behind", Lang::En) => format!("{o} {m} so far; {e} due pro rata"),
        ("communes_at_risk", Lang::Vi) => format!("{o} xã có nguy cơ không đạt chỉ tiêu {m}"),
        ("communes_at_risk", Lang::En) => {
            format!("{o} communes at risk of missing their {m} target")
        }
        ("cases_overdue", Lang::Vi) => format!("{o} vụ việc đang giải quyết đã quá hạn"),
        ("cases_overdue", Lang::En) => format!("{o} open cases past their deadline"),
        ("tasks_overdue", Lang::Vi) => format!("{o} nhiệm vụ được giao đã quá hạn"),
        ("tasks_overdue", Lang::En) => format!("{o} assigned tasks past their deadline"),
        ("step_late", Lang::Vi) => format!("Một bước quy trình trễ {o} ngày"),
        ("step_late", Lang::En) => format!("A procedure step {o} days late"),
        ("step_escalated", Lang::Vi) => match &a.about {
            Some(u) => format!("{u}: bước quy trình trễ {o} ngày (cho phép {e})"),
            None => format!("Bước quy trình của đơn vị cấp dưới trễ {o} ngày (cho phép {e})"),
        },
        ("step_escalated", Lang::En) => match &a.about {
            Some(u) => format!("{u}: a procedure step {o} days late ({e} allowed)"),
            None => format!("A step of a unit below is {o} days late ({e} allowed)"),
        },
        ("anomaly", Lang::Vi) => format!("{m}: {o}, ngoài khoảng bình thường (dự kiến {e})"),
        ("anomaly", Lang::En) => format!("{m}: {o}, outside the usual band ({e} expected)"),
        ("source_late" | "source_stale", Lang::Vi) => {
            format!("{o} giờ chưa gửi dữ liệu (chu kỳ {e} giờ)")
        }
        ("source_late" | "source_stale", Lang::En) => {
            format!("No data for {o} h (sends every {e} h)")
        }
        ("source_failing", Lang::Vi) => format!("Từ chối {o} số dòng gửi gần đây"),
        ("source_failing", Lang::En) => format!("Rejects {o} of its recent rows"),
        _ => a.explanation.clone(),
    };
    let mut out = s + &sector;
    // A sentence starts with a capital, whatever the measure's word.
    if let Some(first) = out.chars().next() {
        let upper: String = first.to_uppercase().collect();
        out.replace_range(..first.len_utf8(), &upper);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_has_a_label_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            assert!(CaseKind::ALL.iter().all(|k| !kind(*k, lang).is_empty()));
            assert!(Sector::ALL.iter().all(|s| !sector(*s, lang).is_empty()));
            assert!(CaseStatus::ALL.iter().all(|s| !status(*s, lang).is_empty()));
            assert!(
                SubjectType::ALL
                    .iter()
                    .all(|s| !subject(*s, lang).is_empty())
            );
            assert!(
                ViolationCategory::ALL
                    .iter()
                    .all(|c| !category(*c, lang).is_empty())
            );
        }
        assert_eq!(
            discipline(Some(DisciplineForm::Expulsion), Lang::Vi),
            "Khai trừ"
        );
    }

    fn record(
        kind: &str,
        measure: &str,
        expected: f64,
        observed: f64,
    ) -> domain::alerts::AlertRecord {
        domain::alerts::AlertRecord {
            id: 1,
            kind: kind.into(),
            severity: "warning".into(),
            unit: "01".into(),
            unit_name: "Thành phố Hà Nội".into(),
            measure: measure.into(),
            sector: None,
            expected: Some(expected),
            observed: Some(observed),
            explanation: "server text".into(),
            link: None,
            state: "new".into(),
            owner: None,
            created_at: String::new(),
            updated_at: String::new(),
            about: None,
        }
    }

    #[test]
    fn every_alert_kind_is_named_and_said_in_both_languages() {
        for kind in ALERT_KINDS {
            for lang in [Lang::Vi, Lang::En] {
                assert_ne!(
                    alert_kind(kind, lang),
                    alert_kind("unknown", lang),
                    "{kind}"
                );
                let s = alert_sentence(&record(kind, "inspections", 120.0, 80.0), lang);
                assert_ne!(s, "server text", "{kind}");
                let first = s.chars().next().unwrap();
                assert!(first.is_uppercase() || first.is_ascii_digit(), "{s}");
            }
        }
    }

    #[test]
    fn alert_values_read_as_their_measure() {
        let s = alert_sentence(
            &record("target_at_risk", "inspections", 1200.0, 950.4),
            Lang::Vi,
        );
        assert_eq!(s, "Dự báo cả năm 950,4 cuộc kiểm tra, kế hoạch 1.200");
        let s = alert_sentence(&record("anomaly", "violation_rate", 0.2, 0.45), Lang::En);
        assert!(s.starts_with("Violation rate: 45"), "{s}");
        assert_eq!(alert_value("cases_overdue", 12.0, Lang::Vi), "12");
        // An unknown kind falls back to the server's sentence.
        assert_eq!(
            alert_sentence(&record("new_kind", "x", 1.0, 2.0), Lang::Vi),
            "Server text"
        );
    }
}
