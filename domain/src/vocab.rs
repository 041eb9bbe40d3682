//! The closed vocabularies of the domain (`../shared/contract/case.schema.json` and the brief).
//!
//! Each vocabulary is written once here; the database's CHECK constraints, the API's validation and
//! the UI's labels all read from these lists.

use serde::{Deserialize, Serialize};

/// Error for a word that is not in a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not one of: {allowed}")]
pub struct UnknownWord {
    pub value: String,
    pub allowed: String,
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every word of this vocabulary, in its canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word as the contract spells it.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Position in [`Self::ALL`], for dictionary encoding.
            pub fn index(self) -> usize {
                Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownWord;
            fn from_str(s: &str) -> Result<Self, $crate::vocab::UnknownWord> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::vocab::UnknownWord {
                        value: s.chars().take(64).collect(),
                        allowed: Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use vocabulary;

vocabulary! {
    /// Level of a unit in the hierarchy.
    UnitLevel {
        Central = "central",
        Committee = "committee",
        Province = "province",
        Commune = "commune",
        Grassroots = "grassroots",
        Cell = "cell",
    }
}

vocabulary! {
    /// Kind of case.
    CaseKind {
        InspectionViolationSigns = "inspection_violation_signs",
        InspectionDuty = "inspection_duty",
        InspectionFinance = "inspection_finance",
        AssetDeclaration = "asset_declaration",
        SupervisionRegular = "supervision_regular",
        SupervisionThematic = "supervision_thematic",
        Complaint = "complaint",
        Denunciation = "denunciation",
    }
}

vocabulary! {
    /// Sector a case is about.
    Sector {
        Land = "land",
        FinanceBudget = "finance_budget",
        Construction = "construction",
        Investment = "investment",
        NaturalResources = "natural_resources",
        Health = "health",
        Education = "education",
        Personnel = "personnel",
        Enterprise = "enterprise",
        PublicAdministration = "public_administration",
        SecurityDefense = "security_defense",
        Other = "other",
    }
}

vocabulary! {
    /// Status of a case.
    CaseStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Concluded = "concluded",
        Cancelled = "cancelled",
    }
}

vocabulary! {
    /// Whether a case is about an organization or a member.
    SubjectType {
        Organization = "organization",
        Member = "member",
    }
}

vocabulary! {
    /// Discipline decided at the end of a case.
    DisciplineForm {
        Reprimand = "reprimand",
        Warning = "warning",
        Dismissal = "dismissal",
        Expulsion = "expulsion",
        Dissolution = "dissolution",
    }
}

vocabulary! {
    /// Category of a violation found.
    ViolationCategory {
        Corruption = "corruption",
        Wastefulness = "wastefulness",
        AssetDeclaration = "asset_declaration",
        LandManagement = "land_management",
        PublicFinance = "public_finance",
        PersonnelWork = "personnel_work",
        PrinciplesOfOrganization = "principles_of_organization",
        EthicsLifestyle = "ethics_lifestyle",
        Other = "other",
    }
}

vocabulary! {
    /// Role of a user or machine client.
    Role {
        Admin = "admin",
        Leader = "leader",
        Analyst = "analyst",
        DataOfficer = "data_officer",
        Display = "display",
    }
}

vocabulary! {
    /// Kind of directive document.
    DirectiveKind {
        Resolution = "resolution",
        Directive = "directive",
        Conclusion = "conclusion",
    }
}

vocabulary! {
    /// State of a task assigned to a unit.
    TaskStatus {
        Assigned = "assigned",
        InProgress = "in_progress",
        Done = "done",
    }
}

vocabulary! {
    /// Measure a target is set for.
    TargetMeasure {
        Inspections = "inspections",
        Supervisions = "supervisions",
        SettledOnTime = "settled_on_time",
    }
}

vocabulary! {
    /// Severity of an alert.
    Severity {
        Info = "info",
        Warning = "warning",
        Critical = "critical",
    }
}

vocabulary! {
    /// Work state of an alert.
    AlertState {
        New = "new",
        Acknowledged = "acknowledged",
        Assigned = "assigned",
        Resolved = "resolved",
    }
}

vocabulary! {
    /// How a data source delivers.
    SourceKind {
        Push = "push",
        Upload = "upload",
    }
}

/// The family a case kind belongs to, for the overview's KPI tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KindFamily {
    Inspection,
    Supervision,
    Settlement,
}

impl CaseKind {
    /// The kinds of a family, as their words (the SQL lists of the summary and the rollups).
    pub fn of_family(family: KindFamily) -> Vec<&'static str> {
        CaseKind::ALL
            .iter()
            .filter(|k| k.family() == family)
            .map(|k| k.as_str())
            .collect()
    }

    /// Inspections, supervisions, or the settling of complaints, denunciations and asset declarations.
    pub fn family(self) -> KindFamily {
        match self {
            CaseKind::InspectionViolationSigns
            | CaseKind::InspectionDuty
            | CaseKind::InspectionFinance => KindFamily::Inspection,
            CaseKind::SupervisionRegular | CaseKind::SupervisionThematic => KindFamily::Supervision,
            CaseKind::AssetDeclaration | CaseKind::Complaint | CaseKind::Denunciation => {
                KindFamily::Settlement
            }
        }
    }
}

impl DisciplineForm {
    /// Whether this form may be decided against a subject of this type (contract: dismissal and
    /// expulsion apply to members only, dissolution to organizations only).
    pub fn fits(self, subject: SubjectType) -> bool {
        match self {
            DisciplineForm::Reprimand | DisciplineForm::Warning => true,
            DisciplineForm::Dismissal | DisciplineForm::Expulsion => subject == SubjectType::Member,
            DisciplineForm::Dissolution => subject == SubjectType::Organization,
        }
    }
}

impl Role {
    /// Roles that may only read (never write, never export).
    pub fn is_read_only(self) -> bool {
        matches!(self, Role::Display)
    }

    /// Roles whose people must log in with a second factor (an authenticator app's code).
    pub fn needs_second_factor(self) -> bool {
        matches!(self, Role::Admin | Role::Leader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_through_their_text() {
        for k in CaseKind::ALL {
            assert_eq!(k.as_str().parse::<CaseKind>().unwrap(), *k);
        }
        assert_eq!(Sector::ALL.len(), 12);
        assert_eq!(ViolationCategory::ALL.len(), 9);
    }

    #[test]
    fn unknown_word_names_the_allowed_ones() {
        let err = "inspektion".parse::<CaseKind>().unwrap_err();
        assert_eq!(err.value, "inspektion");
        assert!(
            err.allowed
                .starts_with("inspection_violation_signs, inspection_duty")
        );
    }

    #[test]
    fn serde_uses_the_contract_spelling() {
        let json = serde_json::to_string(&CaseKind::SupervisionThematic).unwrap();
        assert_eq!(json, "\"supervision_thematic\"");
        let back: DisciplineForm = serde_json::from_str("\"expulsion\"").unwrap();
        assert_eq!(back, DisciplineForm::Expulsion);
    }

    #[test]
    fn discipline_forms_fit_their_subjects() {
        assert!(DisciplineForm::Expulsion.fits(SubjectType::Member));
        assert!(!DisciplineForm::Expulsion.fits(SubjectType::Organization));
        assert!(DisciplineForm::Dissolution.fits(SubjectType::Organization));
        assert!(!DisciplineForm::Dissolution.fits(SubjectType::Member));
        assert!(DisciplineForm::Warning.fits(SubjectType::Organization));
    }

    #[test]
    fn kinds_fall_into_families() {
        assert_eq!(CaseKind::InspectionFinance.family(), KindFamily::Inspection);
        assert_eq!(
            CaseKind::SupervisionThematic.family(),
            KindFamily::Supervision
        );
        assert_eq!(CaseKind::Denunciation.family(), KindFamily::Settlement);
    }
}
