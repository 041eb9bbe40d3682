//! The numbers behind the demo data set: seasonality, regional sector mixes, kind mixes, outcome
//! probabilities, procedures (SOP templates), thematic supervision topics, directives. Pure data.

use domain::{CaseKind, DirectiveKind, Sector, SubjectType, ViolationCategory};
use rand::Rng;

/// Relative daily intensity of new cases per calendar month: a dip around Tết (January, February),
/// a rise towards the end of the year when annual plans are completed.
pub const SEASON: [f64; 12] = [
    0.78, 0.56, 0.96, 1.0, 1.0, 1.04, 0.95, 0.93, 1.0, 1.1, 1.2, 1.32,
];

/// Relative intensity of new cases on a weekday (Monday first).
pub const WEEKDAY: [f64; 7] = [1.0, 1.0, 1.0, 1.0, 1.0, 0.15, 0.05];

/// The committees directly under the centre, all seated in Hà Nội, with their share of all members.
pub const COMMITTEES: [(&str, &str, f64); 6] = [
    ("TW1", "Đảng bộ các cơ quan Đảng Trung ương", 0.007),
    ("TW2", "Đảng bộ Chính phủ", 0.016),
    ("TW3", "Đảng bộ Quốc hội", 0.0005),
    (
        "TW4",
        "Đảng bộ Mặt trận Tổ quốc, các đoàn thể Trung ương",
        0.0015,
    ),
    ("TW5", "Đảng bộ Quân đội", 0.024),
    ("TW6", "Đảng bộ Công an Trung ương", 0.020),
];

/// Where the centre sits (Ba Đình, Hà Nội).
pub const CENTRE_LOCATION: (f64, f64) = (21.0368, 105.8342);

/// Economic and geographic regions, which shape sector mixes and volumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    NorthernMountains,
    RedRiverDelta,
    NorthCentral,
    SouthCentralCoast,
    CentralHighlands,
    Southeast,
    Mekong,
}

/// The region of one of the 34 provinces (GSO code of 2025).
pub fn region_of(province: &str) -> Region {
    match province {
        "04" | "08" | "11" | "12" | "14" | "15" | "19" | "20" => Region::NorthernMountains,
        "01" | "22" | "24" | "25" | "31" | "33" | "37" => Region::RedRiverDelta,
        "38" | "40" | "42" | "44" | "46" => Region::NorthCentral,
        "48" | "51" | "56" => Region::SouthCentralCoast,
        "52" | "66" | "68" => Region::CentralHighlands,
        "75" | "79" | "80" => Region::Southeast,
        _ => Region::Mekong,
    }
}

/// The five centrally governed cities.
pub fn is_big_city(province: &str) -> bool {
    matches!(province, "01" | "79" | "31" | "48" | "92")
}

/// How many cases a province has per member, relative to the national rate.
pub fn volume_factor(province: &str) -> f64 {
    let region = match region_of(province) {
        Region::NorthernMountains => 0.85,
        Region::RedRiverDelta => 1.0,
        Region::NorthCentral => 0.95,
        Region::SouthCentralCoast => 1.0,
        Region::CentralHighlands => 1.2,
        Region::Southeast => 1.15,
        Region::Mekong => 1.1,
    };
    region * if is_big_city(province) { 1.12 } else { 1.0 }
}

fn sector_index(s: Sector) -> usize {
    s.index()
}

/// Sector weights (indexed like `Sector::ALL`) of a province's cases: land and natural resources
/// weigh more in the Mekong and the Central Highlands, finance and investment in the big cities.
pub fn province_sector_weights(province: &str) -> [f64; 12] {
    use Sector::*;
    // land, finance_budget, construction, investment, natural_resources, health, education,
    // personnel, enterprise, public_administration, security_defense, other
    let mut w = [
        0.15, 0.14, 0.09, 0.07, 0.05, 0.06, 0.07, 0.12, 0.05, 0.11, 0.03, 0.06,
    ];
    let mut mul = |s: Sector, f: f64| w[sector_index(s)] *= f;
    match region_of(province) {
        Region::Mekong => {
            mul(Land, 2.0);
            mul(NaturalResources, 1.8);
            mul(Investment, 0.8);
        }
        Region::CentralHighlands => {
            mul(Land, 2.0);
            mul(NaturalResources, 2.0);
        }
        Region::NorthernMountains => {
            mul(NaturalResources, 1.5);
            mul(Education, 1.2);
            mul(Health, 1.2);
            mul(SecurityDefense, 1.6);
            mul(Investment, 0.7);
            mul(Enterprise, 0.6);
        }
        Region::Southeast => {
            mul(Investment, 1.4);
            mul(Enterprise, 1.4);
            mul(Land, 1.3);
        }
        Region::NorthCentral => {
            mul(NaturalResources, 1.2);
            mul(Construction, 1.1);
        }
        Region::SouthCentralCoast => {
            mul(NaturalResources, 1.3);
            mul(Land, 1.2);
        }
        Region::RedRiverDelta => {
            mul(Construction, 1.2);
            mul(Land, 1.2);
        }
    }
    if is_big_city(province) {
        mul(FinanceBudget, 1.4);
        mul(Investment, 2.2);
        mul(Construction, 1.5);
        mul(Enterprise, 1.8);
        mul(NaturalResources, 0.5);
    }
    w
}

/// Sector weights of the cases of a committee under the centre.
pub fn committee_sector_weights(code: &str) -> [f64; 12] {
    use Sector::*;
    let mut w = [
        0.04, 0.2, 0.08, 0.1, 0.02, 0.05, 0.05, 0.2, 0.06, 0.16, 0.04, 0.05,
    ];
    if code == "TW5" || code == "TW6" {
        w[sector_index(SecurityDefense)] = 0.35;
        w[sector_index(Land)] = 0.06;
    }
    w
}

/// Adjusts sector weights for a kind of case.
pub fn sector_weights_for_kind(mut w: [f64; 12], kind: CaseKind) -> [f64; 12] {
    use Sector::*;
    match kind {
        CaseKind::InspectionFinance => w[sector_index(FinanceBudget)] *= 6.0,
        CaseKind::AssetDeclaration | CaseKind::Complaint => w[sector_index(Personnel)] *= 2.0,
        CaseKind::Denunciation => w[sector_index(Land)] *= 1.5,
        _ => {}
    }
    w
}

/// A sector's name in Vietnamese (for notes).
pub fn sector_name(s: Sector) -> &'static str {
    match s {
        Sector::Land => "đất đai",
        Sector::FinanceBudget => "tài chính, ngân sách",
        Sector::Construction => "xây dựng",
        Sector::Investment => "đầu tư",
        Sector::NaturalResources => "tài nguyên, khoáng sản",
        Sector::Health => "y tế",
        Sector::Education => "giáo dục",
        Sector::Personnel => "tổ chức, cán bộ",
        Sector::Enterprise => "doanh nghiệp",
        Sector::PublicAdministration => "hành chính công",
        Sector::SecurityDefense => "quốc phòng, an ninh",
        Sector::Other => "khác",
    }
}

/// Kinds of case about a member, with weights.
pub const MEMBER_KINDS: [(CaseKind, f64); 6] = [
    (CaseKind::InspectionViolationSigns, 0.20),
    (CaseKind::AssetDeclaration, 0.12),
    (CaseKind::SupervisionRegular, 0.22),
    (CaseKind::SupervisionThematic, 0.06),
    (CaseKind::Complaint, 0.15),
    (CaseKind::Denunciation, 0.25),
];

/// Kinds of case about an organization, with weights.
pub const ORGANIZATION_KINDS: [(CaseKind, f64); 7] = [
    (CaseKind::InspectionViolationSigns, 0.08),
    (CaseKind::InspectionDuty, 0.22),
    (CaseKind::InspectionFinance, 0.18),
    (CaseKind::SupervisionRegular, 0.30),
    (CaseKind::SupervisionThematic, 0.14),
    (CaseKind::Complaint, 0.02),
    (CaseKind::Denunciation, 0.06),
];

/// Kinds possible for a subject type.
pub fn kinds_for(subject: SubjectType) -> &'static [(CaseKind, f64)] {
    match subject {
        SubjectType::Member => &MEMBER_KINDS,
        SubjectType::Organization => &ORGANIZATION_KINDS,
    }
}

/// Share of concluded cases of a kind that find a violation.
pub fn violation_probability(kind: CaseKind) -> f64 {
    match kind {
        CaseKind::InspectionViolationSigns => 0.68,
        CaseKind::InspectionDuty => 0.22,
        CaseKind::InspectionFinance => 0.32,
        CaseKind::AssetDeclaration => 0.12,
        CaseKind::SupervisionRegular => 0.08,
        CaseKind::SupervisionThematic => 0.12,
        CaseKind::Complaint => 0.22,
        CaseKind::Denunciation => 0.42,
    }
}

/// Share of violations of a kind that lead to a discipline.
pub fn discipline_probability(kind: CaseKind) -> f64 {
    match kind {
        CaseKind::InspectionViolationSigns => 0.7,
        CaseKind::InspectionDuty => 0.3,
        CaseKind::InspectionFinance => 0.45,
        CaseKind::AssetDeclaration => 0.5,
        CaseKind::SupervisionRegular | CaseKind::SupervisionThematic => 0.15,
        CaseKind::Complaint => 0.35,
        CaseKind::Denunciation => 0.6,
    }
}

/// Categories of violation typical of a sector, with weights.
pub fn categories_for(sector: Sector) -> &'static [(ViolationCategory, f64)] {
    use ViolationCategory::*;
    match sector {
        Sector::Land => &[
            (LandManagement, 0.6),
            (Corruption, 0.2),
            (Wastefulness, 0.1),
            (PrinciplesOfOrganization, 0.1),
        ],
        Sector::FinanceBudget => &[
            (PublicFinance, 0.55),
            (Corruption, 0.2),
            (Wastefulness, 0.25),
        ],
        Sector::Construction => &[
            (Wastefulness, 0.4),
            (Corruption, 0.3),
            (PublicFinance, 0.2),
            (Other, 0.1),
        ],
        Sector::Investment => &[
            (Wastefulness, 0.35),
            (Corruption, 0.3),
            (PublicFinance, 0.3),
            (Other, 0.05),
        ],
        Sector::NaturalResources => &[
            (LandManagement, 0.4),
            (Corruption, 0.2),
            (Other, 0.3),
            (Wastefulness, 0.1),
        ],
        Sector::Health => &[
            (Corruption, 0.35),
            (PublicFinance, 0.35),
            (EthicsLifestyle, 0.2),
            (Other, 0.1),
        ],
        Sector::Education => &[
            (PublicFinance, 0.3),
            (EthicsLifestyle, 0.35),
            (PrinciplesOfOrganization, 0.15),
            (Other, 0.2),
        ],
        Sector::Personnel => &[
            (PersonnelWork, 0.6),
            (PrinciplesOfOrganization, 0.25),
            (EthicsLifestyle, 0.15),
        ],
        Sector::Enterprise => &[
            (Corruption, 0.35),
            (Wastefulness, 0.35),
            (PublicFinance, 0.2),
            (Other, 0.1),
        ],
        Sector::PublicAdministration => &[
            (PrinciplesOfOrganization, 0.4),
            (EthicsLifestyle, 0.25),
            (PersonnelWork, 0.15),
            (Other, 0.2),
        ],
        Sector::SecurityDefense => &[
            (PrinciplesOfOrganization, 0.4),
            (EthicsLifestyle, 0.3),
            (Corruption, 0.15),
            (Other, 0.15),
        ],
        Sector::Other => &[
            (EthicsLifestyle, 0.5),
            (PrinciplesOfOrganization, 0.2),
            (Other, 0.3),
        ],
    }
}

/// Whether a category of violation involves money (and so an amount in đồng).
pub fn money_related(c: ViolationCategory) -> bool {
    use ViolationCategory::*;
    matches!(
        c,
        Corruption | Wastefulness | AssetDeclaration | LandManagement | PublicFinance
    )
}

/// One step of a procedure template.
pub struct StepDef {
    pub code: &'static str,
    pub name: &'static str,
    /// The application role that acts on the step (reminders and escalations go to it).
    pub role: &'static str,
    pub days: u32,
}

/// A procedure (SOP) template for one kind of case.
pub struct ProcedureDef {
    pub code: &'static str,
    pub kind: CaseKind,
    pub name: &'static str,
    pub steps: &'static [StepDef],
}

impl ProcedureDef {
    /// Index of the step whose end is the case's conclusion.
    pub fn conclude_step(&self) -> usize {
        self.steps
            .iter()
            .position(|s| s.code == "conclude")
            .unwrap_or(self.steps.len() - 1)
    }

    /// Index of the step that decides on a discipline, if the procedure has one.
    pub fn decide_step(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.code == "decide")
    }
}

const fn step(code: &'static str, name: &'static str, role: &'static str, days: u32) -> StepDef {
    StepDef {
        code,
        name,
        role,
        days,
    }
}

/// The procedure templates, one per kind of case (due dates 30 to 90 days after opening).
pub const PROCEDURES: [ProcedureDef; 8] = [
    ProcedureDef {
        code: "QT-KTDHVP",
        kind: CaseKind::InspectionViolationSigns,
        name: "Kiểm tra khi có dấu hiệu vi phạm",
        steps: &[
            step("open", "Ra quyết định và thông báo kiểm tra", "leader", 5),
            step(
                "verify",
                "Thẩm tra, xác minh, làm việc với đối tượng",
                "analyst",
                30,
            ),
            step(
                "conclude",
                "Báo cáo kết quả và kết luận kiểm tra",
                "leader",
                10,
            ),
            step(
                "decide",
                "Xem xét, quyết định thi hành kỷ luật",
                "leader",
                10,
            ),
            step("notify", "Thông báo kết luận, lưu hồ sơ", "data_officer", 5),
        ],
    },
    ProcedureDef {
        code: "QT-KTNV",
        kind: CaseKind::InspectionDuty,
        name: "Kiểm tra việc thực hiện nhiệm vụ kiểm tra, giám sát và thi hành kỷ luật",
        steps: &[
            step("open", "Ra quyết định và kế hoạch kiểm tra", "leader", 5),
            step(
                "verify",
                "Kiểm tra tại đơn vị, thu thập tài liệu",
                "analyst",
                25,
            ),
            step(
                "conclude",
                "Báo cáo kết quả và kết luận kiểm tra",
                "leader",
                10,
            ),
            step(
                "notify",
                "Thông báo kết luận, theo dõi khắc phục",
                "data_officer",
                5,
            ),
        ],
    },
    ProcedureDef {
        code: "QT-KTTC",
        kind: CaseKind::InspectionFinance,
        name: "Kiểm tra tài chính đảng",
        steps: &[
            step(
                "open",
                "Ra quyết định và kế hoạch kiểm tra tài chính",
                "leader",
                5,
            ),
            step(
                "verify",
                "Kiểm tra sổ sách, chứng từ thu, chi",
                "analyst",
                35,
            ),
            step(
                "conclude",
                "Báo cáo kết quả và kết luận kiểm tra",
                "leader",
                10,
            ),
            step(
                "notify",
                "Thông báo kết luận, kiến nghị thu hồi",
                "data_officer",
                5,
            ),
        ],
    },
    ProcedureDef {
        code: "QT-XMTS",
        kind: CaseKind::AssetDeclaration,
        name: "Xác minh tài sản, thu nhập",
        steps: &[
            step(
                "open",
                "Ra quyết định xác minh tài sản, thu nhập",
                "leader",
                5,
            ),
            step("verify", "Xác minh, đối chiếu bản kê khai", "analyst", 25),
            step(
                "conclude",
                "Kết luận về tính trung thực của việc kê khai",
                "leader",
                10,
            ),
            step("decide", "Xem xét, xử lý vi phạm", "leader", 10),
            step("notify", "Công khai kết luận, lưu hồ sơ", "data_officer", 5),
        ],
    },
    ProcedureDef {
        code: "QT-GSTX",
        kind: CaseKind::SupervisionRegular,
        name: "Giám sát thường xuyên",
        steps: &[
            step("open", "Xây dựng kế hoạch, thông báo giám sát", "leader", 5),
            step(
                "supervise",
                "Theo dõi, nắm tình hình, làm việc với đối tượng",
                "analyst",
                20,
            ),
            step("conclude", "Báo cáo kết quả giám sát", "leader", 7),
            step("notify", "Thông báo kết quả, kiến nghị", "data_officer", 3),
        ],
    },
    ProcedureDef {
        code: "QT-GSCD",
        kind: CaseKind::SupervisionThematic,
        name: "Giám sát chuyên đề",
        steps: &[
            step(
                "open",
                "Ra quyết định và kế hoạch giám sát chuyên đề",
                "leader",
                5,
            ),
            step(
                "supervise",
                "Giám sát tại đơn vị theo chuyên đề",
                "analyst",
                30,
            ),
            step(
                "conclude",
                "Báo cáo kết quả giám sát chuyên đề",
                "leader",
                10,
            ),
            step("notify", "Thông báo kết quả, kiến nghị", "data_officer", 5),
        ],
    },
    ProcedureDef {
        code: "QT-GQKN",
        kind: CaseKind::Complaint,
        name: "Giải quyết khiếu nại kỷ luật đảng",
        steps: &[
            step(
                "receive",
                "Tiếp nhận, phân loại đơn khiếu nại",
                "data_officer",
                5,
            ),
            step(
                "verify",
                "Thẩm tra, xác minh nội dung khiếu nại",
                "analyst",
                40,
            ),
            step(
                "conclude",
                "Báo cáo và kết luận giải quyết khiếu nại",
                "leader",
                15,
            ),
            step(
                "decide",
                "Quyết định giữ nguyên, thay đổi hoặc xóa bỏ kỷ luật",
                "leader",
                10,
            ),
            step("notify", "Thông báo kết quả giải quyết", "data_officer", 5),
        ],
    },
    ProcedureDef {
        code: "QT-GQTC",
        kind: CaseKind::Denunciation,
        name: "Giải quyết tố cáo",
        steps: &[
            step("receive", "Tiếp nhận, thụ lý đơn tố cáo", "data_officer", 5),
            step(
                "verify",
                "Thẩm tra, xác minh nội dung tố cáo",
                "analyst",
                45,
            ),
            step(
                "conclude",
                "Báo cáo và kết luận nội dung tố cáo",
                "leader",
                15,
            ),
            step(
                "decide",
                "Xem xét, quyết định thi hành kỷ luật",
                "leader",
                10,
            ),
            step(
                "notify",
                "Thông báo kết luận, bảo vệ người tố cáo",
                "data_officer",
                5,
            ),
        ],
    },
];

/// The procedure a kind of case follows.
pub fn procedure_for(kind: CaseKind) -> &'static ProcedureDef {
    PROCEDURES
        .iter()
        .find(|p| p.kind == kind)
        .unwrap_or(&PROCEDURES[0])
}

/// Topics of thematic supervision; each year picks a handful, named "topic year".
pub const THEME_TOPICS: [(&str, Sector); 10] = [
    ("Quản lý đất đai", Sector::Land),
    ("Quản lý tài chính, ngân sách", Sector::FinanceBudget),
    ("Đầu tư công", Sector::Investment),
    ("Quản lý đầu tư xây dựng cơ bản", Sector::Construction),
    ("Công tác cán bộ", Sector::Personnel),
    (
        "Thực hiện quy chế dân chủ ở cơ sở",
        Sector::PublicAdministration,
    ),
    ("Quản lý tài nguyên, khoáng sản", Sector::NaturalResources),
    ("Công tác y tế cơ sở", Sector::Health),
    ("Quản lý giáo dục, đào tạo", Sector::Education),
    ("Quản lý vốn nhà nước tại doanh nghiệp", Sector::Enterprise),
];

/// How many topics of thematic supervision each year has.
pub const THEMES_PER_YEAR: usize = 5;

/// A resolution, directive or conclusion of the centre (synthetic, plausible).
pub struct DirectiveDef {
    pub kind: DirectiveKind,
    pub number: u32,
    pub title: &'static str,
    /// What provinces do to carry it out (the title of their long task).
    pub action: &'static str,
}

/// The directives, in the order they are issued (numbers grow with time within a kind).
pub const DIRECTIVES: [DirectiveDef; 12] = [
    DirectiveDef {
        kind: DirectiveKind::Resolution,
        number: 18,
        title: "Về tăng cường công tác kiểm tra, giám sát và kỷ luật đảng trong tình hình mới",
        action: "Nâng cao chất lượng, hiệu quả công tác kiểm tra, giám sát",
    },
    DirectiveDef {
        kind: DirectiveKind::Directive,
        number: 12,
        title: "Về tăng cường phòng, chống tham nhũng, lãng phí, tiêu cực trong quản lý đất đai",
        action: "Rà soát, kiểm tra việc quản lý, sử dụng đất đai",
    },
    DirectiveDef {
        kind: DirectiveKind::Conclusion,
        number: 54,
        title: "Về thực hành tiết kiệm, chống lãng phí trong quản lý tài chính, ngân sách",
        action: "Kiểm tra việc thực hành tiết kiệm, chống lãng phí",
    },
    DirectiveDef {
        kind: DirectiveKind::Directive,
        number: 19,
        title: "Về kiểm soát tài sản, thu nhập của người có chức vụ, quyền hạn",
        action: "Tổ chức kê khai, xác minh tài sản, thu nhập",
    },
    DirectiveDef {
        kind: DirectiveKind::Resolution,
        number: 27,
        title: "Về nâng cao năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng",
        action: "Củng cố, kiện toàn tổ chức cơ sở đảng",
    },
    DirectiveDef {
        kind: DirectiveKind::Conclusion,
        number: 61,
        title: "Về quản lý, sử dụng tài sản công tại các cơ quan, đơn vị",
        action: "Rà soát, sắp xếp, xử lý tài sản công",
    },
    DirectiveDef {
        kind: DirectiveKind::Directive,
        number: 27,
        title: "Về tăng cường lãnh đạo công tác giải quyết khiếu nại, tố cáo trong Đảng",
        action: "Giải quyết dứt điểm các vụ việc khiếu nại, tố cáo tồn đọng",
    },
    DirectiveDef {
        kind: DirectiveKind::Resolution,
        number: 35,
        title: "Về đẩy mạnh chuyển đổi số trong công tác kiểm tra, giám sát của Đảng",
        action: "Số hóa hồ sơ và kết nối dữ liệu kiểm tra, giám sát",
    },
    DirectiveDef {
        kind: DirectiveKind::Directive,
        number: 35,
        title: "Về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
        action: "Kiểm tra, giám sát công tác chuẩn bị nhân sự đại hội",
    },
    DirectiveDef {
        kind: DirectiveKind::Conclusion,
        number: 83,
        title: "Về tiếp tục sắp xếp tổ chức bộ máy và đơn vị hành chính các cấp",
        action: "Kiện toàn tổ chức bộ máy, ổn định hoạt động sau sắp xếp",
    },
    DirectiveDef {
        kind: DirectiveKind::Resolution,
        number: 41,
        title: "Về quản lý, khai thác và sử dụng bền vững tài nguyên, khoáng sản",
        action: "Kiểm tra việc cấp phép, khai thác tài nguyên, khoáng sản",
    },
    DirectiveDef {
        kind: DirectiveKind::Conclusion,
        number: 120,
        title: "Về tăng cường giám sát chuyên đề đối với tổ chức đảng và đảng viên",
        action: "Xây dựng và thực hiện chương trình giám sát chuyên đề",
    },
];

impl DirectiveDef {
    /// The number as it is written, e.g. `35-NQ/TW`.
    pub fn number_text(&self) -> String {
        format!("{}-{}/TW", self.number, self.abbreviation())
    }

    /// The directive's code, usable in a URL: `35-NQ-TW`.
    pub fn code(&self) -> String {
        format!("{}-{}-TW", self.number, self.abbreviation())
    }

    fn abbreviation(&self) -> &'static str {
        match self.kind {
            DirectiveKind::Resolution => "NQ",
            DirectiveKind::Directive => "CT",
            DirectiveKind::Conclusion => "KL",
        }
    }
}

/// Picks one of weighted items.
pub fn pick<T: Copy, R: Rng>(rng: &mut R, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.r#gen::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// Picks an index by weight.
pub fn pick_index<R: Rng>(rng: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.r#gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_procedure_of_30_to_90_days() {
        for kind in CaseKind::ALL {
            let p = procedure_for(*kind);
            assert_eq!(p.kind, *kind);
            let days: u32 = p.steps.iter().map(|s| s.days).sum();
            assert!((34..=82).contains(&days), "{} lasts {days} days", p.code);
            assert!(p.steps[p.conclude_step()].code == "conclude");
        }
    }

    #[test]
    fn every_province_has_a_region_and_sector_mix() {
        assert_eq!(region_of("91"), Region::Mekong);
        assert_eq!(region_of("66"), Region::CentralHighlands);
        let mekong = province_sector_weights("91");
        let hcm = province_sector_weights("79");
        assert!(mekong[Sector::Land.index()] > hcm[Sector::Land.index()]);
        assert!(hcm[Sector::Investment.index()] > mekong[Sector::Investment.index()]);
    }

    #[test]
    fn directive_numbers_read_like_the_real_ones() {
        assert_eq!(DIRECTIVES[7].number_text(), "35-NQ/TW");
        assert_eq!(DIRECTIVES[7].code(), "35-NQ-TW");
    }
}
