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
}
