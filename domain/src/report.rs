//! Reports: a unit's inspection, supervision and discipline figures over a month, a quarter or a
//! year, with directives' progress, alerts and year-end forecasts.
//!
//! This module holds what every form of a report shares: the [`ReportPeriod`] (`2026-07`,
//! `2026-Q3`, `2026`), the report's data ([`Report`], what `GET /reports/preview` answers), the
//! report's own words in both languages ([`Word`]), and [`tables`], the one place that turns a
//! report into titled tables of cells, which the PDF, the XLSX, the CSV and the page all draw.

use crate::directives::TaskCounts;
use crate::format::{self, Lang};
use crate::{CaseKind, Sector};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The earliest and latest years a report may cover.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Why an input of a report is refused: the field and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ReportInputError {
    pub field: &'static str,
    pub reason: String,
}

fn refuse(field: &'static str, reason: impl Into<String>) -> ReportInputError {
    ReportInputError {
        field,
        reason: reason.into(),
    }
}

/// How long a report's period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Month,
    Quarter,
    Year,
}

impl Cadence {
    /// Every cadence, shortest first.
    pub const ALL: [Cadence; 3] = [Cadence::Month, Cadence::Quarter, Cadence::Year];

    /// The word the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Month => "month",
            Cadence::Quarter => "quarter",
            Cadence::Year => "year",
        }
    }
}

impl FromStr for Cadence {
    type Err = ReportInputError;
    fn from_str(s: &str) -> Result<Cadence, ReportInputError> {
        match s.trim() {
            "month" => Ok(Cadence::Month),
            "quarter" => Ok(Cadence::Quarter),
            "year" => Ok(Cadence::Year),
            other => Err(refuse(
                "cadence",
                format!(
                    "'{}' is not one of: month, quarter, year",
                    other.chars().take(32).collect::<String>()
                ),
            )),
        }
    }
}

/// A report's period: a calendar month (`2026-07`), quarter (`2026-Q3`) or year (`2026`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReportPeriod {
    pub year: i32,
    pub cadence: Cadence,
    /// The month (1–12) or the quarter (1–4); 0 for a year.
    pub index: u32,
}

impl ReportPeriod {
    /// The month `month` (1–12) of `year`.
    pub fn month(year: i32, month: u32) -> Result<ReportPeriod, ReportInputError> {
        check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(refuse("period", format!("month {month} is not 1 to 12")));
        }
        Ok(ReportPeriod {
            year,
            cadence: Cadence::Month,
            index: month,
        })
    }

    /// The quarter `quarter` (1–4) of `year`.
    pub fn quarter(year: i32, quarter: u32) -> Result<ReportPeriod, ReportInputError> {
        check_year(year)?;
        if !(1..=4).contains(&quarter) {
            return Err(refuse("period", format!("quarter {quarter} is not 1 to 4")));
        }
        Ok(ReportPeriod {
            year,
            cadence: Cadence::Quarter,
            index: quarter,
        })
    }

    /// The year `year`.
    pub fn year(year: i32) -> Result<ReportPeriod, ReportInputError> {
        check_year(year)?;
        Ok(ReportPeriod {
            year,
            cadence: Cadence::Year,
            index: 0,
        })
    }

    /// Its first day.
    pub fn first_day(&self) -> NaiveDate {
        let month = match self.cadence {
            Cadence::Month => self.index,
            Cadence::Quarter => (self.index - 1) * 3 + 1,
            Cadence::Year => 1,
        };
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Its last day.
    pub fn last_day(&self) -> NaiveDate {
        let months = match self.cadence {
            Cadence::Month => 1,
            Cadence::Quarter => 3,
            Cadence::Year => 12,
        };
        self.first_day()
            .checked_add_months(chrono::Months::new(months))
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// The first day of each of its months.
    pub fn months(&self) -> Vec<NaiveDate> {
        let n = match self.cadence {
            Cadence::Month => 1,
            Cadence::Quarter => 3,
            Cadence::Year => 12,
        };
        (0..n)
            .filter_map(|i| self.first_day().checked_add_months(chrono::Months::new(i)))
            .collect()
    }

    /// The same period a year before (its days are the same calendar days, 29 February aside).
    pub fn a_year_before(&self) -> ReportPeriod {
        ReportPeriod {
            year: self.year - 1,
            ..*self
        }
    }

    /// The period of the same cadence just before this one.
    pub fn previous(&self) -> ReportPeriod {
        match (self.cadence, self.index) {
            (Cadence::Year, _) => ReportPeriod {
                year: self.year - 1,
                ..*self
            },
            (Cadence::Month, 1) => ReportPeriod {
                year: self.year - 1,
                index: 12,
                ..*self
            },
            (Cadence::Quarter, 1) => ReportPeriod {
                year: self.year - 1,
                index: 4,
                ..*self
            },
            (_, i) => ReportPeriod {
                index: i - 1,
                ..*self
            },
        }
    }

    /// The period of `cadence` that holds `day`.
    pub fn containing(cadence: Cadence, day: NaiveDate) -> ReportPeriod {
        let index = match cadence {
            Cadence::Month => day.month(),
            Cadence::Quarter => (day.month() - 1) / 3 + 1,
            Cadence::Year => 0,
        };
        ReportPeriod {
            year: day.year(),
            cadence,
            index,
        }
    }

    /// The latest period of `cadence` that has closed before `today` (its last day is past).
    pub fn last_closed(cadence: Cadence, today: NaiveDate) -> ReportPeriod {
        ReportPeriod::containing(cadence, today).previous()
    }

    /// Whether its last day is before `today`.
    pub fn is_closed(&self, today: NaiveDate) -> bool {
        self.last_day() < today
    }

    /// The label people read: `Quý III/2026`, `Tháng 7/2026`, `Năm 2026`; `Q3 2026`, `July 2026`,
    /// `Year 2026`.
    pub fn label(&self, lang: Lang) -> String {
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let i = self.index.saturating_sub(1) as usize;
        match (self.cadence, lang) {
            (Cadence::Month, Lang::Vi) => format!("Tháng {}/{}", self.index, self.year),
            (Cadence::Month, Lang::En) => format!("{} {}", MONTHS[i.min(11)], self.year),
            (Cadence::Quarter, Lang::Vi) => format!("Quý {}/{}", ROMAN[i.min(3)], self.year),
            (Cadence::Quarter, Lang::En) => format!("Q{} {}", self.index, self.year),
            (Cadence::Year, Lang::Vi) => format!("Năm {}", self.year),
            (Cadence::Year, Lang::En) => format!("Year {}", self.year),
        }
    }

    /// Its days as `01/07/2026 – 30/09/2026`.
    pub fn dates_label(&self) -> String {
        format!(
            "{} – {}",
            format::date(self.first_day()),
            format::date(self.last_day())
        )
    }
}

fn check_year(year: i32) -> Result<(), ReportInputError> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(refuse(
            "period",
            format!(
                "the year {year} is outside {} to {}",
                YEARS.start(),
                YEARS.end()
            ),
        ))
    }
}

impl fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cadence {
            Cadence::Month => write!(f, "{}-{:02}", self.year, self.index),
            Cadence::Quarter => write!(f, "{}-Q{}", self.year, self.index),
            Cadence::Year => write!(f, "{}", self.year),
        }
    }
}

impl FromStr for ReportPeriod {
    type Err = ReportInputError;

    /// `YYYY-MM`, `YYYY-Qn` (also `q`) or `YYYY`.
    fn from_str(s: &str) -> Result<ReportPeriod, ReportInputError> {
        let s = s.trim();
        let shown: String = s.chars().take(32).collect();
        let bad = || {
            refuse(
                "period",
                format!(
                    "'{shown}' is not a period: write 2026-07 (a month), 2026-Q3 (a quarter) or 2026 (a year)"
                ),
            )
        };
        if s.is_empty() {
            return Err(refuse("period", "is required (2026-07, 2026-Q3 or 2026)"));
        }
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year.len() != 4 || !digits(year) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        match rest {
            None => ReportPeriod::year(year),
            Some(r) if r.len() == 2 && r.starts_with(['Q', 'q']) && digits(&r[1..]) => {
                ReportPeriod::quarter(year, r[1..].parse().map_err(|_| bad())?)
            }
            Some(r) if r.len() == 2 && digits(r) => {
                ReportPeriod::month(year, r.parse().map_err(|_| bad())?)
            }
            Some(_) => Err(bad()),
        }
    }
}

impl Serialize for ReportPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReportPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ReportPeriod, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A language tag of a report's file: `vi` (default) or `en`; anything else is refused.
pub fn parse_lang(field: &'static str, v: Option<&str>) -> Result<Lang, ReportInputError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("vi") => Ok(Lang::Vi),
        Some("en") => Ok(Lang::En),
        Some(other) => Err(refuse(
            field,
            format!(
                "'{}' is not one of: vi, en",
                other.chars().take(16).collect::<String>()
            ),
        )),
    }
}

/// A report's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Pdf,
    Xlsx,
    Csv,
}

impl FileFormat {
    /// Every format, in the order a kept report stores them.
    pub const ALL: [FileFormat; 3] = [FileFormat::Pdf, FileFormat::Xlsx, FileFormat::Csv];

    /// The file name extension and the API's word.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Pdf => "pdf",
            FileFormat::Xlsx => "xlsx",
            FileFormat::Csv => "csv",
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Pdf => "application/pdf",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

impl FromStr for FileFormat {
    type Err = ReportInputError;
    fn from_str(s: &str) -> Result<FileFormat, ReportInputError> {
        match s.trim() {
            "pdf" => Ok(FileFormat::Pdf),
            "xlsx" => Ok(FileFormat::Xlsx),
            "csv" => Ok(FileFormat::Csv),
            "" => Err(refuse("format", "is required (pdf, xlsx or csv)")),
            other => Err(refuse(
                "format",
                format!(
                    "'{}' is not one of: pdf, xlsx, csv",
                    other.chars().take(16).collect::<String>()
                ),
            )),
        }
    }
}

/// The file name of a report: `bao-cao-01-2026-Q3.pdf` (`report-01-2026-Q3.pdf` in English).
pub fn file_name(unit: &str, period: &ReportPeriod, format: FileFormat, lang: Lang) -> String {
    let stem = match lang {
        Lang::Vi => "bao-cao",
        Lang::En => "report",
    };
    // Unit codes are ASCII letters and digits (domain::codes); keep the name safe regardless.
    let unit: String = unit.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{stem}-{unit}-{period}.{}", format.as_str())
}

/// A figure in the period and in the same period a year before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Compared {
    pub current: i64,
    pub previous: i64,
}

impl Compared {
    /// The change in percent, if last year's figure is not zero.
    pub fn change_pct(&self) -> Option<f64> {
        crate::summary::change_pct(self.current, self.previous)
    }
}

/// The headline figures: cases opened (by family), concluded, violations found, disciplines (of
/// organizations and of members) and cases settled on time, each against last year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Headline {
    /// Cases opened, all kinds.
    pub cases: Compared,
    /// Inspections opened.
    pub inspections: Compared,
    /// Supervisions opened.
    pub supervisions: Compared,
    /// Complaints, denunciations and asset declarations opened.
    pub settlements: Compared,
    /// Cases concluded.
    pub concluded: Compared,
    /// Concluded cases that found a violation.
    pub violations: Compared,
    /// Cases concluded on or before their due day.
    pub settled_on_time: Compared,
    /// Disciplines decided, all subjects.
    pub disciplines: Compared,
    /// Disciplines of organizations.
    pub disciplines_organizations: Compared,
    /// Disciplines of members.
    pub disciplines_members: Compared,
    /// Money involved in the violations found, in đồng.
    pub amount_vnd: Compared,
}

impl Headline {
    /// The figures in the order every form shows them, with their words.
    pub fn rows(&self) -> [(Word, Compared); 11] {
        [
            (Word::Cases, self.cases),
            (Word::Inspections, self.inspections),
            (Word::Supervisions, self.supervisions),
            (Word::Settlements, self.settlements),
            (Word::Concluded, self.concluded),
            (Word::Violations, self.violations),
            (Word::SettledOnTime, self.settled_on_time),
            (Word::Disciplines, self.disciplines),
            (
                Word::DisciplinesOrganizations,
                self.disciplines_organizations,
            ),
            (Word::DisciplinesMembers, self.disciplines_members),
            (Word::AmountVnd, self.amount_vnd),
        ]
    }

    /// The few figures drawn as tiles at the top.
    pub fn tiles(&self) -> [(Word, Compared); 6] {
        [
            (Word::Inspections, self.inspections),
            (Word::Supervisions, self.supervisions),
            (Word::Violations, self.violations),
            (
                Word::DisciplinesOrganizations,
                self.disciplines_organizations,
            ),
            (Word::DisciplinesMembers, self.disciplines_members),
            (Word::SettledOnTime, self.settled_on_time),
        ]
    }
}

/// Cases opened of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindRow {
    pub kind: CaseKind,
    pub opened: Compared,
}

/// Cases of one sector: opened, and concluded with a violation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectorRow {
    pub sector: Sector,
    pub opened: Compared,
    pub violations: i64,
}

/// One child unit's figures in the period (provinces of the centre, communes of a province).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildRow {
    pub code: String,
    pub name: String,
    pub cases: Compared,
    pub inspections: i64,
    pub supervisions: i64,
    pub violations: i64,
    pub disciplines: i64,
}

/// One month of the period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthRow {
    /// Its first day.
    pub month: NaiveDate,
    pub opened: i64,
    /// Opened in the same month a year before.
    pub opened_last_year: i64,
    pub concluded: i64,
    pub violations: i64,
    pub disciplines: i64,
}

/// One directive's tasks in the unit's subtree, by state at the report's `as_of` day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveRow {
    pub code: String,
    pub number: String,
    pub title: String,
    pub tasks: TaskCounts,
}

/// Alerts raised in the period of one kind and severity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertCount {
    pub kind: String,
    pub severity: crate::Severity,
    pub raised: i64,
}

/// An alert open at the period's end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenAlert {
    pub id: i64,
    pub kind: String,
    pub severity: crate::Severity,
    pub unit: String,
    pub unit_name: String,
    pub raised_on: NaiveDate,
    pub explanation: String,
}

/// The alerts of the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertSection {
    /// Raised in the period, by kind and severity.
    pub raised: Vec<AlertCount>,
    /// Open (not resolved) at the end of the period's last day.
    pub open_at_end: i64,
    /// The most severe of those, oldest first within a severity.
    pub top_open: Vec<OpenAlert>,
}

/// A target of the unit's year and its year-end forecast as of the report's `as_of` day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetRow {
    /// `inspections`, `supervisions` or `settled_on_time`.
    pub measure: String,
    /// None: all sectors.
    pub sector: Option<String>,
    /// The plan for the year, if the unit was given one.
    pub planned: Option<i64>,
    /// Achieved in the year by `as_of`.
    pub achieved: Option<i64>,
    /// The forecast's point, and its 80 % interval.
    pub point: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The chance of meeting the plan.
    pub chance: Option<f64>,
}

/// A unit's report for a period (`GET /reports/preview`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub unit: String,
    pub unit_name: String,
    /// The unit's level (`central`, `province`, ...).
    pub level: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-Q3"))]
    pub period: ReportPeriod,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The same days a year before.
    pub previous_from: NaiveDate,
    pub previous_to: NaiveDate,
    /// The day states and forecasts are taken on: the period's last day, or today if earlier.
    pub as_of: NaiveDate,
    /// When the report was made (RFC 3339).
    pub generated_at: String,
    pub headline: Headline,
    pub by_kind: Vec<KindRow>,
    pub by_sector: Vec<SectorRow>,
    pub by_child: Vec<ChildRow>,
    pub by_month: Vec<MonthRow>,
    pub directives: Vec<DirectiveRow>,
    pub alerts: AlertSection,
    pub targets: Vec<TargetRow>,
}

/// A kept report's metadata (its files are downloaded by format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeptReport {
    pub id: i64,
    pub unit: String,
    pub unit_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-Q3"))]
    pub period: ReportPeriod,
    /// `vi` or `en`.
    pub lang: String,
    /// The schedule that made it; none when a person did.
    pub schedule: Option<i64>,
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
    /// The files' sizes in bytes.
    pub pdf_bytes: i64,
    pub xlsx_bytes: i64,
    pub csv_bytes: i64,
}

/// A schedule: a unit's report made after each period of `cadence` closes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub id: i64,
    pub unit: String,
    pub unit_name: String,
    pub cadence: Cadence,
    /// `vi` or `en`.
    pub lang: String,
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
    /// The latest period it has kept a report of.
    pub last_period: Option<String>,
}

macro_rules! words {
    ($($w:ident => ($vi:literal, $en:literal),)+) => {
        /// The report's own words (titles, columns, states), in both languages: the files and the
        /// page read them from here, so that every form of a report says the same.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Word { $($w),+ }

        impl Word {
            /// Every word, for tests.
            pub const ALL: &'static [Word] = &[$(Word::$w),+];

            /// The word in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Word::$w, Lang::Vi) => $vi, (Word::$w, Lang::En) => $en,)+
                }
            }
        }
    };
}

words! {
    Commission => ("Ủy ban Kiểm tra", "Inspection Commission"),
    Title => ("Báo cáo công tác kiểm tra, giám sát và thi hành kỷ luật", "Report on inspection, supervision and discipline"),
    Unit => ("Đơn vị", "Unit"),
    PeriodWord => ("Kỳ báo cáo", "Period"),
    ComparedWith => ("So với cùng kỳ", "Compared with"),
    GeneratedAt => ("Lập lúc", "Generated"),
    Page => ("Trang", "Page"),
    Headline => ("Số liệu chính", "Headline figures"),
    Figure => ("Chỉ tiêu", "Figure"),
    ThisPeriod => ("Kỳ này", "This period"),
    LastYear => ("Cùng kỳ năm trước", "Same period last year"),
    Change => ("Thay đổi", "Change"),
    Cases => ("Vụ việc mở", "Cases opened"),
    Inspections => ("Cuộc kiểm tra", "Inspections"),
    Supervisions => ("Cuộc giám sát", "Supervisions"),
    Settlements => ("Khiếu nại, tố cáo, kê khai tài sản", "Complaints, denunciations, asset checks"),
    Concluded => ("Vụ việc kết luận", "Cases concluded"),
    Violations => ("Phát hiện vi phạm", "Violations found"),
    SettledOnTime => ("Giải quyết đúng hạn", "Settled on time"),
    Disciplines => ("Thi hành kỷ luật", "Disciplines"),
    DisciplinesOrganizations => ("Kỷ luật tổ chức", "Disciplines of organizations"),
    DisciplinesMembers => ("Kỷ luật đảng viên", "Disciplines of members"),
    AmountVnd => ("Số tiền vi phạm (đồng)", "Money involved (VND)"),
    ByMonth => ("Theo tháng", "By month"),
    Month => ("Tháng", "Month"),
    Opened => ("Mở", "Opened"),
    OpenedLastYear => ("Mở cùng kỳ", "Opened last year"),
    ByKind => ("Theo loại vụ việc", "By kind of case"),
    Kind => ("Loại", "Kind"),
    BySector => ("Theo lĩnh vực", "By sector"),
    Sector => ("Lĩnh vực", "Sector"),
    AllSectors => ("Mọi lĩnh vực", "All sectors"),
    ByChild => ("Theo đơn vị trực thuộc", "By unit below"),
    Code => ("Mã", "Code"),
    CasesLastYear => ("Vụ việc cùng kỳ", "Cases last year"),
    Directives => ("Tiến độ thực hiện nghị quyết, chỉ thị, kết luận", "Progress of resolutions, directives and conclusions"),
    Number => ("Số hiệu", "Number"),
    DirectiveTitle => ("Trích yếu", "Title"),
    Tasks => ("Nhiệm vụ", "Tasks"),
    Done => ("Hoàn thành", "Done"),
    OnTrack => ("Đúng tiến độ", "On track"),
    AtRisk => ("Chậm tiến độ", "Late"),
    Overdue => ("Quá hạn", "Overdue"),
    Completion => ("Tỷ lệ hoàn thành", "Completion"),
    AlertsRaised => ("Cảnh báo phát sinh trong kỳ", "Alerts raised in the period"),
    Severity => ("Mức độ", "Severity"),
    Raised => ("Phát sinh", "Raised"),
    OpenAlerts => ("Cảnh báo còn mở cuối kỳ", "Alerts open at the period's end"),
    OpenAtEnd => ("Còn mở cuối kỳ", "Open at the end"),
    RaisedOn => ("Ngày phát sinh", "Raised on"),
    Explanation => ("Nội dung", "What"),
    Critical => ("Nghiêm trọng", "Critical"),
    Warning => ("Cảnh báo", "Warning"),
    Info => ("Thông tin", "Information"),
    Targets => ("Chỉ tiêu năm và dự báo cuối năm", "The year's targets and year-end forecasts"),
    Planned => ("Kế hoạch", "Planned"),
    Achieved => ("Đã đạt", "Achieved"),
    Forecast => ("Dự báo cuối năm", "Year-end forecast"),
    Range => ("Khoảng 80%", "80% range"),
    Chance => ("Khả năng đạt", "Chance of meeting"),
    MeasureInspections => ("Kiểm tra", "Inspections"),
    MeasureSupervisions => ("Giám sát", "Supervisions"),
    MeasureOnTime => ("Giải quyết đúng hạn", "Settled on time"),
    Total => ("Tổng", "Total"),
    None => ("Không có số liệu", "No data"),
    Summary => ("Tổng hợp", "Summary"),
    Section => ("Bảng", "Table"),
    AsOf => ("Tình trạng tính đến ngày", "States as of"),
}

/// A value in a report's table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count or an amount.
    Int(i64),
    /// A share from 0 to 1, shown as a percentage.
    Share(Option<f64>),
    /// A change in percent (+12.5 is 12.5 % more).
    Change(Option<f64>),
}

impl Cell {
    /// The value as the report writes it in `lang` (vi-VN: `1.234`, `12,5%`).
    pub fn display(&self, lang: Lang) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => format::integer(*n, lang),
            Cell::Share(s) => format::percent(*s, lang),
            Cell::Change(Some(c)) => format::change_pct(*c, lang),
            Cell::Change(None) => "–".into(),
        }
    }

    /// Whether the cell is a number (drawn right-aligned, written as a number in a spreadsheet).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    /// Numbers: right-aligned.
    pub numeric: bool,
    /// Its share of the table's width, relative to the others.
    pub weight: f32,
}

/// A titled table of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A stable name (`headline`, `by_month`, ...), for sheet order, tests and links.
    pub key: &'static str,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// The labels of the contract's vocabularies, which the app owns (`app::labels`); passed in so
/// that the server's files and the page use the same ones.
#[derive(Clone, Copy)]
pub struct Labels {
    pub kind: fn(CaseKind, Lang) -> &'static str,
    pub sector: fn(Sector, Lang) -> &'static str,
    pub alert_kind: fn(&str, Lang) -> &'static str,
}

/// The label of a severity.
pub fn severity_word(s: crate::Severity) -> Word {
    match s {
        crate::Severity::Critical => Word::Critical,
        crate::Severity::Warning => Word::Warning,
        crate::Severity::Info => Word::Info,
    }
}

/// The label of a target's measure.
pub fn measure_word(measure: &str) -> Word {
    match measure {
        "inspections" => Word::MeasureInspections,
        "supervisions" => Word::MeasureSupervisions,
        _ => Word::MeasureOnTime,
    }
}

fn col(title: Word, numeric: bool, weight: f32, lang: Lang) -> Column {
    Column {
        title: title.text(lang).to_string(),
        numeric,
        weight,
    }
}

/// The month's label in a table: `07/2026`.
fn month_label(m: NaiveDate) -> String {
    m.format("%m/%Y").to_string()
}

/// The report's tables in `lang`, in the order every form shows them: headline, by month, by
/// kind, by sector, by child unit, directives, alerts raised, open alerts, targets. A section
/// without rows is still there, with no rows, so that every form has the same tables.
pub fn tables(r: &Report, lang: Lang, labels: &Labels) -> Vec<Table> {
    let w = |x: Word| x.text(lang).to_string();
    let mut out = Vec::new();
    out.push(Table {
        key: "headline",
        title: w(Word::Headline),
        columns: vec![
            col(Word::Figure, false, 3.0, lang),
            col(Word::ThisPeriod, true, 1.2, lang),
            col(Word::LastYear, true, 1.4, lang),
            col(Word::Change, true, 1.0, lang),
        ],
        rows: r
            .headline
            .rows()
            .iter()
            .map(|(word, c)| {
                vec![
                    Cell::Text(w(*word)),
                    Cell::Int(c.current),
                    Cell::Int(c.previous),
                    Cell::Change(c.change_pct()),
                ]
            })
            .collect(),
    });
    out.push(Table {
        key: "by_month",
        title: w(Word::ByMonth),
        columns: vec![
            col(Word::Month, false, 1.2, lang),
            col(Word::Opened, true, 1.0, lang),
            col(Word::OpenedLastYear, true, 1.2, lang),
            col(Word::Concluded, true, 1.2, lang),
            col(Word::Violations, true, 1.2, lang),
            col(Word::Disciplines, true, 1.2, lang),
        ],
        rows: r
            .by_month
            .iter()
            .map(|m| {
                vec![
                    Cell::Text(month_label(m.month)),
                    Cell::Int(m.opened),
                    Cell::Int(m.opened_last_year),
                    Cell::Int(m.concluded),
                    Cell::Int(m.violations),
                    Cell::Int(m.disciplines),
                ]
            })
            .collect(),
    });
    out.push(Table {
        key: "by_kind",
        title: w(Word::ByKind),
        columns: vec![
            col(Word::Kind, false, 3.0, lang),
            col(Word::ThisPeriod, true, 1.0, lang),
            col(Word::LastYear, true, 1.3, lang),
            col(Word::Change, true, 1.0, lang),
        ],
        rows: r
            .by_kind
            .iter()
            .map(|k| {
                vec![
                    Cell::Text((labels.kind)(k.kind, lang).to_string()),
                    Cell::Int(k.opened.current),
                    Cell::Int(k.opened.previous),
                    Cell::Change(k.opened.change_pct()),
                ]
            })
            .collect(),
    });
    out.push(Table {
        key: "by_sector",
        title: w(Word::BySector),
        columns: vec![
            col(Word::Sector, false, 2.6, lang),
            col(Word::ThisPeriod, true, 1.0, lang),
            col(Word::LastYear, true, 1.3, lang),
            col(Word::Change, true, 1.0, lang),
            col(Word::Violations, true, 1.2, lang),
        ],
        rows: r
            .by_sector
            .iter()
            .map(|s| {
                vec![
                    Cell::Text((labels.sector)(s.sector, lang).to_string()),
                    Cell::Int(s.opened.current),
                    Cell::Int(s.opened.previous),
                    Cell::Change(s.opened.change_pct()),
                    Cell::Int(s.violations),
                ]
            })
            .collect(),
    });
    out.push(Table {
        key: "by_child",
        title: w(Word::ByChild),
        columns: vec![
            col(Word::Code, false, 0.7, lang),
            col(Word::Unit, false, 2.3, lang),
            col(Word::Cases, true, 1.0, lang),
            col(Word::CasesLastYear, true, 1.1, lang),
            col(Word::Inspections, true, 1.0, lang),
            col(Word::Supervisions, true, 1.0, lang),
            col(Word::Violations, true, 1.0, lang),
            col(Word::Disciplines, true, 1.0, lang),
        ],
        rows: r
            .by_child
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.code.clone()),
                    Cell::Text(c.name.clone()),
                    Cell::Int(c.cases.current),
                    Cell::Int(c.cases.previous),
                    Cell::Int(c.inspections),
                    Cell::Int(c.supervisions),
                    Cell::Int(c.violations),
                    Cell::Int(c.disciplines),
                ]
            })
            .collect(),
    });
    out.push(Table {
        key: "directives",
        title: w(Word::Directives),
        columns: vec![
            col(Word::Number, false, 1.1, lang),
            col(Word::DirectiveTitle, false, 3.2, lang),
            col(Word::Tasks, true, 0.9, lang),
            col(Word::Done, true, 0.9, lang),
            col(Word::OnTrack, true, 0.9, lang),
            col(Word::AtRisk, true, 0.9, lang),
            col(Word::Overdue, true, 0.9, lang),
            col(Word::Completion, true, 1.0, lang),
        ],
        rows: r
            .directives
            .iter()
            .map(|d| {
                vec![
                    Cell::Text(d.number.clone()),
                    Cell::Text(d.title.clone()),
                    Cell::Int(d.tasks.assigned as i64),
                    Cell::Int(d.tasks.done as i64),
                    Cell::Int(d.tasks.on_track as i64),
                    Cell::Int(d.tasks.at_risk as i64),
                    Cell::Int(d.tasks.overdue as i64),
                    Cell::Share(d.tasks.completion()),
                ]
            })
            .collect(),
    });
    out.push(Table {
        key: "alerts_raised",
        title: w(Word::AlertsRaised),
        columns: vec![
            col(Word::Kind, false, 3.0, lang),
            col(Word::Severity, false, 1.2, lang),
            col(Word::Raised, true, 1.0, lang),
        ],
        rows: r
            .alerts
            .raised
            .iter()
            .map(|a| {
                vec![
                    Cell::Text((labels.alert_kind)(&a.kind, lang).to_string()),
                    Cell::Text(w(severity_word(a.severity))),
                    Cell::Int(a.raised),
                ]
            })
            .collect(),
    });
    out.push(Table {
        key: "alerts_open",
        title: format!(
            "{} ({})",
            w(Word::OpenAlerts),
            format::integer(r.alerts.open_at_end, lang)
        ),
        columns: vec![
            col(Word::Severity, false, 1.1, lang),
            col(Word::Kind, false, 1.8, lang),
            col(Word::Unit, false, 1.6, lang),
            col(Word::RaisedOn, false, 1.1, lang),
            col(Word::Explanation, false, 4.0, lang),
        ],
        rows: r
            .alerts
            .top_open
            .iter()
            .map(|a| {
                vec![
                    Cell::Text(w(severity_word(a.severity))),
                    Cell::Text((labels.alert_kind)(&a.kind, lang).to_string()),
                    Cell::Text(a.unit_name.clone()),
                    Cell::Text(format::date(a.raised_on)),
                    Cell::Text(a.explanation.clone()),
                ]
            })
            .collect(),
    });
    let round = |x: Option<f64>| x.map_or(Cell::Text("–".into()), |v| Cell::Int(v.round() as i64));
    out.push(Table {
        key: "targets",
        title: w(Word::Targets),
        columns: vec![
            col(Word::Figure, false, 1.6, lang),
            col(Word::Sector, false, 1.6, lang),
            col(Word::Planned, true, 1.0, lang),
            col(Word::Achieved, true, 1.0, lang),
            col(Word::Forecast, true, 1.2, lang),
            col(Word::Range, true, 1.3, lang),
            col(Word::Chance, true, 1.0, lang),
        ],
        rows: r
            .targets
            .iter()
            .map(|t| {
                let sector = t
                    .sector
                    .as_deref()
                    .and_then(|s| s.parse::<Sector>().ok())
                    .map_or(w(Word::AllSectors), |s| {
                        (labels.sector)(s, lang).to_string()
                    });
                let range = match (t.low, t.high) {
                    (Some(l), Some(h)) => Cell::Text(format!(
                        "{} – {}",
                        format::integer(l.round() as i64, lang),
                        format::integer(h.round() as i64, lang)
                    )),
                    _ => Cell::Text("–".into()),
                };
                vec![
                    Cell::Text(w(measure_word(&t.measure))),
                    Cell::Text(sector),
                    t.planned.map_or(Cell::Text("–".into()), Cell::Int),
                    t.achieved.map_or(Cell::Text("–".into()), Cell::Int),
                    round(t.point),
                    range,
                    Cell::Share(t.chance),
                ]
            })
            .collect(),
    });
    out
}

/// The header lines every form starts with: the title, the unit, the period, the comparison and
/// the generation time (`dd/mm/yyyy HH:MM`, Vietnam's time).
pub fn header_lines(r: &Report, lang: Lang) -> Vec<(Word, String)> {
    let previous = ReportPeriod {
        year: r.period.year - 1,
        ..r.period
    };
    vec![
        (Word::Unit, format!("{} ({})", r.unit_name, r.unit)),
        (
            Word::PeriodWord,
            format!("{} ({})", r.period.label(lang), r.period.dates_label()),
        ),
        (
            Word::ComparedWith,
            format!("{} ({})", previous.label(lang), previous.dates_label()),
        ),
        (
            Word::GeneratedAt,
            format::local_time(&r.generated_at).unwrap_or_else(|| r.generated_at.clone()),
        ),
    ]
}

/// A round top for a chart's axis holding `v`, in four equal whole steps of 1, 2, 2.5 or 5 times
/// a power of ten: the page's SVG charts and the PDF's draw the same axes.
pub fn axis_top(v: i64) -> i64 {
    let need = v.max(1).saturating_add(3) / 4;
    let mut mag = 1i64;
    loop {
        // 2.5 is whole only from 10 up.
        let quarter = if mag >= 10 { mag * 5 / 2 } else { mag * 5 };
        for step in [mag, mag * 2, quarter, mag * 5] {
            if step >= need {
                return step.saturating_mul(4);
            }
        }
        match mag.checked_mul(10) {
            Some(m) => mag = m,
            None => return i64::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers_divisible_in_four() {
        assert_eq!(axis_top(0), 4);
        assert_eq!(axis_top(3), 4);
        assert_eq!(axis_top(7), 8);
        assert_eq!(axis_top(17), 20);
        assert_eq!(axis_top(230), 400);
        assert_eq!(axis_top(1234), 2000);
        assert_eq!(axis_top(100), 100);
        assert_eq!(axis_top(i64::MAX), i64::MAX);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(s: &str) -> ReportPeriod {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_read_as_month_quarter_or_year() {
        assert_eq!(p("2026-Q3"), ReportPeriod::quarter(2026, 3).unwrap());
        assert_eq!(p("2026-q3"), ReportPeriod::quarter(2026, 3).unwrap());
        assert_eq!(p(" 2026-07 "), ReportPeriod::month(2026, 7).unwrap());
        assert_eq!(p("2026"), ReportPeriod::year(2026).unwrap());
        assert_eq!(p("2026-Q3").to_string(), "2026-Q3");
        assert_eq!(p("2026-07").to_string(), "2026-07");
        assert_eq!(p("2026").to_string(), "2026");
    }

    #[test]
    fn bad_periods_name_the_field_and_the_reason() {
        for bad in [
            "",
            "2026-Q5",
            "2026-Q0",
            "2026-13",
            "2026-00",
            "2026-7",
            "26-07",
            "2026-W3",
            "2026-Q3x",
            "1899",
            "2101-01",
            "abcd",
            "2026-",
            "-2026",
            "2026-Q",
            "２０２６",
        ] {
            let e = bad.parse::<ReportPeriod>().unwrap_err();
            assert_eq!(e.field, "period", "{bad}");
            assert!(!e.reason.is_empty(), "{bad}");
        }
        assert!(
            "2026-Q5"
                .parse::<ReportPeriod>()
                .unwrap_err()
                .reason
                .contains("quarter 5")
        );
        assert!(
            "1899"
                .parse::<ReportPeriod>()
                .unwrap_err()
                .reason
                .contains("outside 2000 to 2100")
        );
    }

    #[test]
    fn a_period_has_its_first_and_last_day() {
        assert_eq!(p("2026-Q3").first_day(), d(2026, 7, 1));
        assert_eq!(p("2026-Q3").last_day(), d(2026, 9, 30));
        assert_eq!(p("2026-Q4").last_day(), d(2026, 12, 31));
        assert_eq!(p("2024-02").last_day(), d(2024, 2, 29));
        assert_eq!(p("2025-02").last_day(), d(2025, 2, 28));
        assert_eq!(p("2026").first_day(), d(2026, 1, 1));
        assert_eq!(p("2026").last_day(), d(2026, 12, 31));
        assert_eq!(
            p("2026-Q1").months(),
            vec![d(2026, 1, 1), d(2026, 2, 1), d(2026, 3, 1)]
        );
        assert_eq!(p("2026").months().len(), 12);
    }

    #[test]
    fn the_same_period_a_year_before_and_the_one_before() {
        assert_eq!(p("2026-Q3").a_year_before(), p("2025-Q3"));
        assert_eq!(p("2024-02").a_year_before().last_day(), d(2023, 2, 28));
        assert_eq!(p("2026-Q1").previous(), p("2025-Q4"));
        assert_eq!(p("2026-01").previous(), p("2025-12"));
        assert_eq!(p("2026-07").previous(), p("2026-06"));
        assert_eq!(p("2026").previous(), p("2025"));
    }

    #[test]
    fn the_last_closed_period_is_the_one_before_today_s() {
        let today = d(2026, 10, 1);
        assert_eq!(
            ReportPeriod::last_closed(Cadence::Quarter, today),
            p("2026-Q3")
        );
        assert_eq!(
            ReportPeriod::last_closed(Cadence::Month, today),
            p("2026-09")
        );
        assert_eq!(ReportPeriod::last_closed(Cadence::Year, today), p("2025"));
        assert!(p("2026-Q3").is_closed(today));
        assert!(!p("2026-Q4").is_closed(today));
        assert!(!p("2026-Q3").is_closed(d(2026, 9, 30)));
    }

    #[test]
    fn labels_are_written_in_each_language_with_dates_dd_mm_yyyy() {
        assert_eq!(p("2026-Q3").label(Lang::Vi), "Quý III/2026");
        assert_eq!(p("2026-Q3").label(Lang::En), "Q3 2026");
        assert_eq!(p("2026-07").label(Lang::Vi), "Tháng 7/2026");
        assert_eq!(p("2026-07").label(Lang::En), "July 2026");
        assert_eq!(p("2026").label(Lang::Vi), "Năm 2026");
        assert_eq!(p("2026-Q3").dates_label(), "01/07/2026 – 30/09/2026");
    }

    #[test]
    fn formats_languages_and_file_names() {
        assert_eq!("pdf".parse::<FileFormat>().unwrap(), FileFormat::Pdf);
        assert_eq!("doc".parse::<FileFormat>().unwrap_err().field, "format");
        assert_eq!(parse_lang("lang", None).unwrap(), Lang::Vi);
        assert_eq!(parse_lang("lang", Some("en")).unwrap(), Lang::En);
        assert_eq!(parse_lang("lang", Some("fr")).unwrap_err().field, "lang");
        assert_eq!(
            file_name("01", &p("2026-Q3"), FileFormat::Pdf, Lang::Vi),
            "bao-cao-01-2026-Q3.pdf"
        );
        assert_eq!(
            file_name("VN", &p("2026-07"), FileFormat::Xlsx, Lang::En),
            "report-VN-2026-07.xlsx"
        );
        assert_eq!("week".parse::<Cadence>().unwrap_err().field, "cadence");
    }

    #[test]
    fn periods_travel_as_strings_in_json() {
        let json = serde_json::to_string(&p("2026-Q3")).unwrap();
        assert_eq!(json, "\"2026-Q3\"");
        assert_eq!(
            serde_json::from_str::<ReportPeriod>(&json).unwrap(),
            p("2026-Q3")
        );
        assert!(serde_json::from_str::<ReportPeriod>("\"2026-Q9\"").is_err());
    }

    fn labels() -> Labels {
        Labels {
            kind: |k, _| k.as_str(),
            sector: |s, _| s.as_str(),
            alert_kind: |_, _| "kind",
        }
    }

    fn report() -> Report {
        let c = |current, previous| Compared { current, previous };
        Report {
            unit: "01".into(),
            unit_name: "Thành phố Hà Nội".into(),
            level: "province".into(),
            period: p("2026-Q3"),
            from: d(2026, 7, 1),
            to: d(2026, 9, 30),
            previous_from: d(2025, 7, 1),
            previous_to: d(2025, 9, 30),
            as_of: d(2026, 9, 30),
            generated_at: "2026-10-01T01:00:00Z".into(),
            headline: Headline {
                inspections: c(1234, 1000),
                disciplines_members: c(7, 0),
                ..Headline::default()
            },
            by_kind: vec![KindRow {
                kind: CaseKind::Complaint,
                opened: c(3, 4),
            }],
            by_sector: vec![],
            by_child: vec![],
            by_month: vec![MonthRow {
                month: d(2026, 7, 1),
                opened: 5,
                opened_last_year: 4,
                concluded: 3,
                violations: 2,
                disciplines: 1,
            }],
            directives: vec![DirectiveRow {
                code: "D1".into(),
                number: "35-CT/TW".into(),
                title: "Chỉ thị".into(),
                tasks: TaskCounts {
                    assigned: 4,
                    on_track: 1,
                    at_risk: 1,
                    overdue: 0,
                    done: 2,
                },
            }],
            alerts: AlertSection::default(),
            targets: vec![TargetRow {
                measure: "inspections".into(),
                sector: None,
                planned: Some(2000),
                achieved: Some(1500),
                point: Some(1999.6),
                low: Some(1800.2),
                high: Some(2200.0),
                chance: Some(0.5),
            }],
        }
    }

    #[test]
    fn tables_hold_the_report_s_figures_written_as_vi_vn_writes_them() {
        let t = tables(&report(), Lang::Vi, &labels());
        let keys: Vec<_> = t.iter().map(|t| t.key).collect();
        assert_eq!(
            keys,
            [
                "headline",
                "by_month",
                "by_kind",
                "by_sector",
                "by_child",
                "directives",
                "alerts_raised",
                "alerts_open",
                "targets"
            ]
        );
        let head = &t[0];
        assert_eq!(head.title, "Số liệu chính");
        assert!(head.rows.iter().all(|r| r.len() == head.columns.len()));
        let insp = &head.rows[1];
        assert_eq!(insp[0], Cell::Text("Cuộc kiểm tra".into()));
        assert_eq!(insp[1], Cell::Int(1234));
        assert_eq!(insp[1].display(Lang::Vi), "1.234");
        assert_eq!(insp[3].display(Lang::Vi), "+23,4%");
        assert_eq!(insp[3].display(Lang::En), "+23.4%");
        // No change can be computed from zero.
        assert_eq!(head.rows[9][3].display(Lang::Vi), "–");
        assert_eq!(t[1].rows[0][0], Cell::Text("07/2026".into()));
        let dir = &t[5].rows[0];
        assert_eq!(dir[3], Cell::Int(2));
        assert_eq!(dir[7].display(Lang::Vi), "50,0%");
        let target = &t[8].rows[0];
        assert_eq!(target[4], Cell::Int(2000));
        assert_eq!(target[5].display(Lang::Vi), "1.800 – 2.200");
        assert_eq!(t[7].title, "Cảnh báo còn mở cuối kỳ (0)");
        for table in &t {
            for row in &table.rows {
                assert_eq!(row.len(), table.columns.len(), "{}", table.key);
            }
        }
    }

    #[test]
    fn every_word_has_both_languages() {
        for w in Word::ALL {
            assert!(!w.text(Lang::Vi).is_empty());
            assert!(!w.text(Lang::En).is_empty());
        }
        let h = header_lines(&report(), Lang::Vi);
        assert_eq!(h[1].1, "Quý III/2026 (01/07/2026 – 30/09/2026)");
        assert_eq!(h[2].1, "Quý III/2025 (01/07/2025 – 30/09/2025)");
        assert_eq!(h[3].1, "01/10/2026 08:00");
    }
}
