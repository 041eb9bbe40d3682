//! Every visible string, in Vietnamese (the default) and English, in one table.

pub use domain::format::Lang;
use leptos::prelude::*;

macro_rules! translations {
    ($($key:ident => ($vi:literal, $en:literal),)+) => {
        /// A string of the interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $($key),+ }

        impl Key {
            /// Every key, for tests.
            pub const ALL: &'static [Key] = &[$(Key::$key),+];
        }

        /// The text of `key` in `lang`.
        pub fn text(lang: Lang, key: Key) -> &'static str {
            match (key, lang) {
                $((Key::$key, Lang::Vi) => $vi, (Key::$key, Lang::En) => $en,)+
            }
        }
    };
}

translations! {
    AppName => ("Trung tâm điều hành kiểm tra, giám sát", "Inspection & Supervision Operations Center"),
    AppShort => ("Trung tâm điều hành", "Operations Center"),
    Login => ("Đăng nhập", "Log in"),
    LoginTitle => ("Đăng nhập hệ thống", "Log in to the center"),
    LoginHint => ("Dùng tài khoản được cấp. Phiên làm việc hết hạn sau 15 phút không thao tác.", "Use the account you were given. Sessions end after 15 minutes idle."),
    Username => ("Tên đăng nhập", "Username"),
    Password => ("Mật khẩu", "Password"),
    LoggingIn => ("Đang đăng nhập…", "Logging in…"),
    LoginFailed => ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    LoginLocked => ("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Thử lại sau.", "The account is locked after too many failed logins. Try again later."),
    NetworkError => ("Không kết nối được máy chủ.", "Cannot reach the server."),
    Logout => ("Đăng xuất", "Log out"),
    Overview => ("Tổng quan", "Overview"),
    Analysis => ("Phân tích", "Analysis"),
    AnalysisTitle => ("Phân tích vụ việc", "Case analysis"),
    Selected => ("vụ việc đang chọn", "cases selected"),
    OfAll => ("trên tổng số", "of"),
    ByMonth => ("Theo tháng mở vụ việc", "By month opened"),
    BrushHint => ("Kéo trên biểu đồ để chọn khoảng thời gian.", "Drag across the chart to select a period."),
    BrushKeys => ("Số vụ việc theo tháng. Phím mũi tên di chuyển khoảng chọn, Shift và mũi tên kéo dài, Esc bỏ chọn.", "Cases by month. Arrow keys move the selected months, Shift with arrows stretches them, Escape clears."),
    ByKind => ("Theo loại vụ việc", "By kind"),
    BySector => ("Theo lĩnh vực", "By sector"),
    ByStatus => ("Theo trạng thái", "By status"),
    ByDiscipline => ("Theo hình thức kỷ luật", "By discipline"),
    ByCategory => ("Theo nhóm vi phạm", "By violation category"),
    CaseList => ("Danh sách hồ sơ", "Case list"),
    CaseFiles => ("hồ sơ", "cases"),
    SortHint => ("Bấm vào tiêu đề cột để sắp xếp.", "Click a column header to sort."),
    NoRows => ("Không có hồ sơ nào khớp bộ lọc.", "No case matches the filters."),
    ExportCsv => ("Xuất CSV", "Export CSV"),
    ExportExcel => ("Xuất Excel", "Export Excel"),
    Exporting => ("Đang xuất…", "Exporting…"),
    ExportFailed => ("Không xuất được tệp: quá nhiều dòng cho một bảng tính.", "Could not export: too many rows for one worksheet."),
    ExportFileStem => ("ho-so", "cases"),
    ExportSheet => ("Hồ sơ", "Cases"),
    ColId => ("Mã hồ sơ", "Case ID"),
    ColOpened => ("Ngày mở", "Opened"),
    ColProvince => ("Tỉnh, thành phố", "Province"),
    ColCommune => ("Xã, phường", "Commune"),
    ColKind => ("Loại vụ việc", "Kind"),
    ColSector => ("Lĩnh vực", "Sector"),
    ColStatus => ("Trạng thái", "Status"),
    ColSubject => ("Đối tượng", "Subject"),
    ColDiscipline => ("Hình thức kỷ luật", "Discipline"),
    ColCategories => ("Nhóm vi phạm", "Violation categories"),
    ColAmountVnd => ("Số tiền vi phạm (đồng)", "Money involved (VND)"),
    ResetAll => ("Bỏ tất cả bộ lọc", "Clear all filters"),
    NoFilters => ("Chưa lọc: đang xem toàn bộ vụ việc trong phạm vi.", "No filters: all cases in your scope."),
    Period => ("Thời gian", "Period"),
    RemoveFilter => ("Bỏ bộ lọc", "Remove filter"),
    MapLevels => ("Cấp hiển thị trên bản đồ", "Map levels"),
    WholeCountry => ("Cả nước", "Whole country"),
    MapMetric => ("Chỉ tiêu tô màu", "Colour by"),
    MetricCases => ("Vụ việc", "Cases"),
    MetricRate => ("Tỷ lệ có vi phạm", "Violation rate"),
    MetricDisciplines => ("Kỷ luật", "Disciplines"),
    MetricAmount => ("Tiền liên quan", "Money involved"),
    MapTools => ("Công cụ chọn vùng", "Selection tools"),
    ToolRadius => ("Bán kính", "Radius"),
    ToolLasso => ("Vẽ vùng", "Lasso"),
    PlaceAtCentre => ("Đặt tại tâm bản đồ", "Place at the map's centre"),
    AddVertex => ("Thêm đỉnh tại tâm bản đồ", "Add a vertex at the centre"),
    CloseLasso => ("Khép vùng", "Close the shape"),
    RadiusKm => ("Bán kính", "Radius"),
    ClearDrawing => ("Bỏ vùng vẽ", "Clear the drawing"),
    AnalysisMapHint => ("Chạm một tỉnh để xem các xã; chạm xã để chọn.", "Tap a province to see its communes; tap a commune to select it."),
    RadiusHint => ("Kéo từ tâm ra để vẽ vòng tròn, hoặc nhấn Enter để đặt tại tâm bản đồ.", "Drag out from a centre to draw a circle, or press Enter to place it at the map's centre."),
    LassoHint => ("Vẽ một vùng bằng tay; hoặc nhấn Enter để thêm đỉnh tại tâm, rồi Khép vùng.", "Draw an area by hand; or press Enter to add vertices at the centre, then close the shape."),
    FindArea => ("Tìm tỉnh, xã…", "Find a province or commune…"),
    Area => ("Địa bàn", "Area"),
    Vertices => ("đỉnh", "vertices"),
    Upload => ("Nạp dữ liệu", "Upload data"),
    UploadTitle => ("Nạp dữ liệu vụ việc", "Upload case data"),
    UploadHint => ("Chọn tệp CSV, JSON hoặc NDJSON theo mẫu dữ liệu vụ việc. Tệp được kiểm tra trước; chưa ghi gì cho đến khi bấm Ghi vào hệ thống.", "Choose a CSV, JSON or NDJSON file in the case format. It is checked first; nothing is written until you press Write to the system."),
    UploadChoose => ("Chọn tệp…", "Choose a file…"),
    UploadDrop => ("hoặc kéo thả tệp vào đây (.csv, .json, .ndjson, .jsonl)", "or drop a file here (.csv, .json, .ndjson, .jsonl)"),
    UploadBytes => ("byte", "bytes"),
    UploadFormat => ("Định dạng", "Format"),
    UploadBadType => ("Không nhận dạng được định dạng: dùng .csv, .json, .ndjson hoặc .jsonl.", "Unknown format: use .csv, .json, .ndjson or .jsonl."),
    UploadPreview => ("Xem trước (10 bản ghi đầu)", "Preview (first 10 records)"),
    UploadChecking => ("Đang kiểm tra tệp…", "Checking the file…"),
    UploadWriting => ("Đang ghi vào hệ thống…", "Writing to the system…"),
    UploadSending => ("Đang gửi tệp", "Sending the file"),
    UploadCheckTitle => ("Kết quả kiểm tra (chưa ghi)", "Check result (nothing written yet)"),
    UploadWouldAccept => ("dòng hợp lệ sẽ được ghi", "rows would be accepted"),
    UploadWouldReject => ("dòng bị từ chối", "rows would be rejected"),
    UploadRow => ("Dòng", "Row"),
    UploadField => ("Trường", "Field"),
    UploadReason => ("Lý do", "Reason"),
    UploadOmitted => ("lỗi khác không hiển thị", "more errors not shown"),
    UploadErrorsCsv => ("Tải báo cáo lỗi (CSV)", "Download the error report (CSV)"),
    UploadCommit => ("Ghi vào hệ thống", "Write to the system"),
    UploadRefused => ("Tệp bị từ chối toàn bộ", "The whole file was refused"),
    UploadDoneTitle => ("Đã ghi vào hệ thống", "Written to the system"),
    UploadAccepted => ("dòng đã ghi", "rows accepted"),
    UploadRejected => ("dòng bị từ chối", "rows rejected"),
    UploadBatch => ("Mã lô", "Batch"),
    UploadToOverview => ("Về trang tổng quan", "Go to the overview"),
    Language => ("Ngôn ngữ", "Language"),
    YearToDate => ("Từ đầu năm đến", "Year to date, until"),
    VsLastYear => ("so với cùng kỳ năm trước", "vs. the same period last year"),
    LastYear => ("Cùng kỳ", "Last year"),
    Inspections => ("Cuộc kiểm tra", "Inspections"),
    Supervisions => ("Cuộc giám sát", "Supervisions"),
    Settlements => ("Khiếu nại, tố cáo, kê khai", "Complaints, denunciations, declarations"),
    Disciplines => ("Thi hành kỷ luật", "Disciplines"),
    Violations => ("Kết luận có vi phạm", "Violations found"),
    ViolationRate => ("Tỷ lệ vi phạm", "Violation rate"),
    Amount => ("Số tiền vi phạm", "Money involved"),
    Cases => ("Tổng số vụ việc", "All cases"),
    MapTitle => ("Bản đồ vụ việc theo tỉnh, thành phố", "Cases by province"),
    MapTitleCommunes => ("Bản đồ vụ việc theo xã, phường", "Cases by commune"),
    MapHintCommunes => ("Chạm vào một xã, phường để xem số liệu. Ranh giới xã là minh họa.", "Tap a commune to see its figures. Commune shapes are synthetic."),
    ThisYear => ("Năm nay", "This year"),
    MapHint => ("Chạm vào một tỉnh để xem số liệu.", "Tap a province to see its figures."),
    MapAttribution => ("Ranh giới gần đúng: Natural Earth 1:10m (hợp nhất 34 tỉnh năm 2025); ranh giới xã là tổng hợp minh họa.", "Approximate boundaries: Natural Earth 1:10m (merged into the 34 provinces of 2025); commune boundaries are synthetic."),
    Legend => ("Số vụ việc từ đầu năm", "Cases this year"),
    RankingCommunes => ("Xã, phường theo số vụ việc", "Communes by cases"),
    Ranking => ("Xếp hạng theo số vụ việc", "Ranked by cases"),
    Close => ("Đóng", "Close"),
    Loading => ("Đang tải…", "Loading…"),
    LoadFailed => ("Không tải được số liệu", "Could not load the figures"),
    DataAsOf => ("Dữ liệu cập nhật", "Data as of"),
    NotFound => ("Không tìm thấy trang.", "Page not found."),
    Hoangsa => ("QĐ. Hoàng Sa (Đà Nẵng)", "Hoang Sa Is. (Da Nang)"),
    Truongsa => ("QĐ. Trường Sa (Khánh Hòa)", "Truong Sa Is. (Khanh Hoa)"),
    Sources => ("Nguồn dữ liệu", "Data sources"),
    SourcesTitle => ("Nguồn dữ liệu và chất lượng", "Data sources and quality"),
    SourcesHint => ("Các hệ thống thông tin kết nối và kênh nạp dữ liệu trong phạm vi: lần gửi gần nhất, khối lượng, tỷ lệ lỗi và chất lượng dữ liệu (đúng, đủ, sạch, sống). Chạm vào một nguồn để xem giải thích.", "The connected information systems and upload channels in your scope: last arrival, volume, error rate and data quality (correct, complete, clean, live). Tap a source for the explanation."),
    SourcesNone => ("Không có nguồn dữ liệu nào trong phạm vi.", "No data source within your scope."),
    StateAll => ("Tất cả", "All"),
    StateLive => ("Đúng hạn", "Live"),
    StateLate => ("Trễ hạn", "Late"),
    StateStale => ("Ngừng cập nhật", "Stale"),
    StateFailing => ("Lỗi nhiều", "Failing"),
    KindPush => ("Tự động đẩy", "Automatic push"),
    KindUpload => ("Nạp định kỳ", "Periodic upload"),
    ColState => ("Trạng thái", "State"),
    ColSource => ("Nguồn", "Source"),
    ColOwner => ("Đơn vị quản lý", "Owner unit"),
    ColSourceKind => ("Hình thức", "Kind"),
    ColCadence => ("Chu kỳ", "Cadence"),
    ColLastArrival => ("Lần gửi gần nhất", "Last arrival"),
    ColVolume30 => ("Dòng nhận 30 ngày", "Rows, 30 days"),
    ColErrorRate => ("Tỷ lệ lỗi", "Error rate"),
    ColQuality => ("Chất lượng", "Quality"),
    Never => ("Chưa gửi", "Never"),
    Hours => ("giờ", "h"),
    Days => ("ngày", "days"),
    Quality => ("Chất lượng dữ liệu", "Data quality"),
    QualityOverall => ("Điểm chung", "Overall"),
    QualityAsOf => ("Đo lúc", "Measured at"),
    QualityLink => ("Xem nguồn dữ liệu", "See the data sources"),
    QValidity => ("Đúng (hợp lệ)", "Correct (valid)"),
    QCompleteness => ("Đủ (đầy đủ)", "Complete"),
    QConsistency => ("Sạch (nhất quán)", "Clean (consistent)"),
    QUniqueness => ("Không trùng lặp", "No duplicates"),
    QFreshness => ("Sống (kịp thời)", "Live (fresh)"),
    QValidityWhy => ("dòng gửi đến được chấp nhận", "rows sent were accepted"),
    QCompletenessWhy => ("trường không bắt buộc có dữ liệu, trong số trường áp dụng", "optional fields filled, of those that apply"),
    QConsistencyWhy => ("hồ sơ có các trường mâu thuẫn (kết luận không ghi có/không vi phạm, kỷ luật khi không vi phạm, vi phạm không ghi nhóm, quá hạn trên một năm)", "records whose fields contradict each other (concluded without saying whether there was a violation, a discipline without a violation, a violation without a category, over a year past due)"),
    QUniquenessWhy => ("hồ sơ có thể trùng (cùng nguồn, đối tượng, loại và ngày mở)", "records are likely duplicates (same source, subject, kind and opening day)"),
    QLastSent => ("gửi lần cuối", "last sent"),
    QExpectedEvery => ("cần gửi mỗi", "expected every"),
    QFreshnessMean => ("trung bình độ kịp thời của", "mean freshness of"),
    SourceOne => ("nguồn dữ liệu", "data source"),
    QNotMeasured => ("chưa đo được", "nothing to measure"),
    Yes => ("Có", "Yes"),
    No => ("Không", "No"),
    HistTitle => ("Lịch sử hồ sơ", "Case history"),
    HistHint => ("Chạm vào một dòng để xem lịch sử thay đổi của hồ sơ.", "Tap a row to see the case's history."),
    HistVersion => ("Phiên bản", "Version"),
    HistCurrent => ("hiện tại", "current"),
    HistBy => ("Ghi bởi", "Written by"),
    HistCreated => ("tạo mới", "created"),
    HistChanged => ("thay đổi", "changed"),
    HistUnchanged => ("gửi lại, không thay đổi", "re-sent unchanged"),
    HistConcluded => ("Ngày kết luận", "Concluded"),
    HistDue => ("Hạn hoàn thành", "Due"),
    HistViolation => ("Có vi phạm", "Violation"),
    HistConducting => ("Đơn vị tiến hành", "Conducting unit"),
    HistTheme => ("Chủ đề", "Theme"),
    HistLocation => ("Vị trí", "Location"),
    Directives => ("Nghị quyết, chỉ thị", "Directives"),
    DirTitle => ("Nghị quyết, chỉ thị, kết luận", "Resolutions, directives and conclusions"),
    DirHint => ("Tiến độ thực hiện các nhiệm vụ được giao trong phạm vi của bạn. Chạm vào một văn bản để xem theo cấp, theo đơn vị và danh sách nhiệm vụ.", "Progress of the tasks they assign within your scope. Tap one to see it by level, by unit and task by task."),
    DirResolution => ("Nghị quyết", "Resolution"),
    DirDirective => ("Chỉ thị", "Directive"),
    DirConclusion => ("Kết luận", "Conclusion"),
    DirAllUnits => ("Toàn bộ phạm vi", "Whole scope"),
    DirRule => ("Chậm tiến độ: tiến độ thấp hơn mức dự kiến theo thời gian trên 15 điểm. Quá hạn: đã qua hạn mà chưa hoàn thành.", "At risk: progress more than 15 points behind its share of the time gone. Overdue: past its due day and not done."),
    DirByUnit => ("Theo đơn vị (bản đồ: tỷ lệ hoàn thành)", "By unit (map: share done)"),
    DirProgress => ("Tiến độ", "Progress"),
    DirUnit => ("Đơn vị", "Unit"),
    DirExpected => ("dự kiến", "expected"),
    DirAssigned => ("Giao ngày", "Assigned"),
    DirLatestReport => ("Báo cáo gần nhất", "Latest report"),
    DirOwnTasks => ("Nhiệm vụ của đơn vị", "The unit's own tasks"),
    DirNoOwnTasks => ("Đơn vị không trực tiếp được giao nhiệm vụ nào của văn bản này.", "No task of this one is assigned to the unit itself."),
    TaskAssigned => ("được giao", "assigned"),
    TaskOnTrack => ("đúng tiến độ", "on track"),
    TaskAtRisk => ("chậm tiến độ", "at risk"),
    TaskOverdue => ("quá hạn", "overdue"),
    TaskDone => ("hoàn thành", "done"),
    // Workload
    WlTitle => ("Công việc của đơn vị", "Unit workload"),
    WlHint => ("Mọi nhiệm vụ đơn vị được giao trực tiếp từ các nghị quyết, chỉ thị, kết luận; việc gấp nhất ở trên.", "Every task assigned to the unit itself by any resolution, directive or conclusion, the most urgent first."),
    WlCompletion => ("hoàn thành", "done"),
    WlTasksAssigned => ("nhiệm vụ được giao", "tasks assigned"),
    WlFilterHint => ("Chạm một trạng thái để lọc danh sách nhiệm vụ", "Tap a state to filter the task list"),
    WlRank => ("Xếp hạng", "Rank"),
    WlTasks => ("Nhiệm vụ, việc gấp nhất trước", "Tasks, most urgent first"),
    WlShowAll => ("· xem tất cả", "· show all"),
    WlNoTasks => ("Đơn vị chưa được giao trực tiếp nhiệm vụ nào.", "No task is assigned to the unit itself."),
    WlNoneInState => ("Không có nhiệm vụ nào ở trạng thái này.", "No task in this state."),
    WlDaysLeft => ("còn {n} ngày", "{n} days left"),
    WlDaysOverdue => ("quá hạn {n} ngày", "{n} days overdue"),
    WlDueToday => ("đến hạn hôm nay", "due today"),
    WlDoneOn => ("xong ngày {d}", "done on {d}"),
    WlPeers => ("So sánh cùng cấp", "Compared with peers"),
    WlPeersHint => ("Xếp theo tỷ lệ hoàn thành, rồi ít quá hạn, ít chậm tiến độ hơn. Chạm để xem công việc của đơn vị.", "Ranked by share done, then fewer overdue, fewer at risk. Tap one to see its workload."),
    WlPeersOutside => ("Các đơn vị cùng cấp nằm ngoài phạm vi của bạn nên không hiển thị để so sánh.", "The unit's peers lie outside your scope, so no comparison is shown."),
    WlNoPeers => ("Đơn vị không có đơn vị cùng cấp để so sánh.", "The unit has no peers to compare with."),
    WlThisUnit => ("đang xem", "this unit"),
    LevelCentral => ("Trung ương", "Centre"),
    LevelCommittee => ("Ban, đảng ủy trực thuộc", "Committees"),
    LevelProvince => ("Tỉnh, thành phố", "Provinces"),
    LevelCommune => ("Xã, phường", "Communes"),
    LevelGrassroots => ("Tổ chức cơ sở", "Grassroots"),
    LevelCell => ("Chi bộ", "Cells"),
    // Overview: targets, trends, attainment, offline
    TargetsTitle => ("Thực hiện chỉ tiêu năm", "This year's targets"),
    SettledOnTime => ("Giải quyết đúng hạn", "Settled on time"),
    Planned => ("Kế hoạch năm", "Annual plan"),
    ExpectedToday => ("Cần đạt đến hôm nay", "Expected by today"),
    ProjectedYearEnd => ("Dự báo cuối năm", "Projected by year end"),
    OfPlan => ("kế hoạch", "of plan"),
    GapBehind => ("Chậm", "Behind by"),
    GapAhead => ("Vượt", "Ahead by"),
    AttBehind => ("Chậm tiến độ", "Behind"),
    AttOnTrack => ("Đúng tiến độ", "On track"),
    AttMet => ("Đã hoàn thành", "Met"),
    NoTarget => ("Chưa giao chỉ tiêu", "No target set"),
    OfYear => ("thời gian của năm", "of the year gone"),
    Months24 => ("24 tháng gần nhất", "Last 24 months"),
    OtherFigures => ("Số liệu khác từ đầu năm", "Other figures this year"),
    AlertsOpen => ("Cảnh báo đang mở", "Open alerts"),
    SevCritical => ("Nghiêm trọng", "Critical"),
    SevWarning => ("Cần chú ý", "Warning"),
    SevInfo => ("Thông tin", "Information"),
    AttMapProvinces => ("Tiến độ chỉ tiêu theo tỉnh, thành phố", "Attainment by province"),
    AttMapCommunes => ("Tiến độ chỉ tiêu theo xã, phường", "Attainment by commune"),
    AttMapHint => ("Màu: số đã đạt so với số cần đạt đến hôm nay. Chạm vào một đơn vị trên bản đồ để xem số liệu, hoặc vào tên trong danh sách để mở.", "Colour: achieved against expected by today. Tap a unit on the map to see its figures, or its name in a list to open it."),
    AttLegend => ("Đã đạt / cần đạt đến hôm nay", "Achieved / expected by today"),
    AttNoData => ("Không có chỉ tiêu", "No target"),
    FurthestBehind => ("Chậm nhất", "Furthest behind"),
    FurthestAhead => ("Vượt nhất", "Furthest ahead"),
    AllChildren => ("Tất cả đơn vị", "All units"),
    OpenOverview => ("Mở tổng quan", "Open overview"),
    AssignedWork => ("Nhiệm vụ được giao", "Assigned tasks"),
    Breadcrumb => ("Đường dẫn", "Breadcrumb"),
    OfflineMark => ("Mất kết nối", "Offline"),
    OfflineSaved => ("đang xem số liệu đã lưu lúc", "showing data saved at"),
    DirShareDone => ("Tỷ lệ nhiệm vụ đã hoàn thành", "Share of tasks done"),
    DirNoTasks => ("Không có nhiệm vụ", "No task"),
    SumOfChildren => ("Tổng chỉ tiêu của", "The sum of the targets of"),
    UnitsBelow => ("đơn vị trực thuộc", "units below"),
    ChildrenNone => ("Đơn vị này không có đơn vị trực thuộc được giao chỉ tiêu.", "No unit under this one has targets."),
    RoleAdmin => ("Quản trị", "Administrator"),
    RoleLeader => ("Lãnh đạo", "Leader"),
    RoleAnalyst => ("Chuyên viên phân tích", "Analyst"),
    RoleDataOfficer => ("Cán bộ dữ liệu", "Data officer"),
    RoleDisplay => ("Màn hình trình chiếu", "Wall display"),
}

/// The current language, shared through context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

/// The language in context (Vietnamese if none was provided).
pub fn use_lang() -> RwSignal<Lang> {
    use_context::<I18n>()
        .map(|i| i.0)
        .unwrap_or_else(|| RwSignal::new(Lang::Vi))
}

/// A reactive translation of `key`.
pub fn t(key: Key) -> impl Fn() -> &'static str + Clone + Send + Sync + 'static {
    let lang = use_lang();
    move || text(lang.get(), key)
}

/// The label of a role.
pub fn role_key(role: domain::Role) -> Key {
    match role {
        domain::Role::Admin => Key::RoleAdmin,
        domain::Role::Leader => Key::RoleLeader,
        domain::Role::Analyst => Key::RoleAnalyst,
        domain::Role::DataOfficer => Key::RoleDataOfficer,
        domain::Role::Display => Key::RoleDisplay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages() {
        for key in Key::ALL {
            assert!(!text(Lang::Vi, *key).is_empty(), "{key:?} vi");
            assert!(!text(Lang::En, *key).is_empty(), "{key:?} en");
        }
    }

    #[test]
    fn vietnamese_is_written_with_its_diacritics() {
        assert_eq!(text(Lang::Vi, Key::Disciplines), "Thi hành kỷ luật");
        assert_eq!(text(Lang::En, Key::Disciplines), "Disciplines");
    }
}
