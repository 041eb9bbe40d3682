//! The table of the filtered cases under the charts: sortable columns, a virtualized body (only
//! the rows in view, plus a few, are in the DOM, however many cases are selected) and downloads
//! of exactly the selected rows, in the table's order, as CSV or Excel.
//!
//! Sorting and the files are `domain::facts::table`'s; this component keeps the sorted row
//! numbers, maps the scroll position to the rows to show and hands the browser the files.

use crate::i18n::{Key, Lang, text, use_lang};
use crate::labels;
use domain::facts::Engine;
use domain::facts::table::{self, Column, Labels, Order, Sorter, Value};
use domain::format;
use domain::{CaseKind, CaseStatus, DisciplineForm, Sector, SubjectType, ViolationCategory};
use leptos::prelude::*;
use std::collections::HashMap;

/// Height of a body row, px (`.case-row` in the styles).
const ROW_HEIGHT: f64 = 34.0;
/// Height of the header row, px (`.case-head` in the styles).
const HEADER_HEIGHT: f64 = 44.0;
/// Rows rendered beyond each edge of the view, so a fast scroll shows no gap.
const OVERSCAN: usize = 8;
/// Height of the scroll box until it is measured, px.
const DEFAULT_VIEW: f64 = 420.0;
/// Tallest body the browser is asked to lay out, px: browsers clamp taller boxes (Chrome near
/// 33.5 million px, about a million rows), so beyond this the scroll position maps to rows in
/// proportion instead of one to one.
const MAX_BODY: f64 = 8_000_000.0;

/// The media type of an Excel workbook.
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The order the table opens in: the newest cases first.
const FIRST_ORDER: Order = Order {
    column: Column::Opened,
    descending: true,
};

fn header_key(c: Column) -> Key {
    match c {
        Column::Id => Key::ColId,
        Column::Opened => Key::ColOpened,
        Column::Province => Key::ColProvince,
        Column::Commune => Key::ColCommune,
        Column::Kind => Key::ColKind,
        Column::Sector => Key::ColSector,
        Column::Status => Key::ColStatus,
        Column::Subject => Key::ColSubject,
        Column::Discipline => Key::ColDiscipline,
        Column::Categories => Key::ColCategories,
        Column::Amount => Key::Amount,
    }
}

/// The table's words in one language; province names where known.
struct Words<'a> {
    lang: Lang,
    provinces: &'a HashMap<String, String>,
    /// Files say the amount's unit in its header (the screen shows it in each cell).
    file: bool,
}

impl Labels for Words<'_> {
    fn header(&self, column: Column) -> &str {
        match column {
            Column::Amount if self.file => text(self.lang, Key::ColAmountVnd),
            c => text(self.lang, header_key(c)),
        }
    }
    fn kind(&self, kind: CaseKind) -> &str {
        labels::kind(kind, self.lang)
    }
    fn sector(&self, sector: Sector) -> &str {
        labels::sector(sector, self.lang)
    }
    fn status(&self, status: CaseStatus) -> &str {
        labels::status(status, self.lang)
    }
    fn subject(&self, subject: SubjectType) -> &str {
        labels::subject(subject, self.lang)
    }
    fn discipline(&self, form: Option<DisciplineForm>) -> &str {
        labels::discipline(form, self.lang)
    }
    fn category(&self, category: ViolationCategory) -> &str {
        labels::category(category, self.lang)
    }
    fn province_name(&self, code: &str) -> Option<&str> {
        let name = self.provinces.get(code).map(String::as_str)?;
        // On screen the column is narrow: "Thành phố Hà Nội" -> "Hà Nội"; files keep the name.
        Some(if self.file {
            name
        } else {
            name.strip_prefix("Thành phố ")
                .or_else(|| name.strip_prefix("Tỉnh "))
                .unwrap_or(name)
        })
    }
}

/// Which rows to render for a scroll position, and where.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Window {
    /// Rows `first..last` of the sorted list are rendered.
    first: usize,
    last: usize,
    /// Offset of row `first` from the top of the body, px.
    y: f64,
    /// Height of the body, px.
    body: f64,
}

/// The rows to render for `n` rows scrolled to `top` in a box `view` px high (header included).
fn window(n: usize, top: f64, view: f64) -> Window {
    let total = n as f64 * ROW_HEIGHT;
    let body = total.min(MAX_BODY);
    let seen = (view - HEADER_HEIGHT).max(ROW_HEIGHT);
    // The body's scroll range maps onto the rows' range, one to one unless the body is capped.
    let scale = if total > body && body > seen {
        (total - seen) / (body - seen)
    } else {
        1.0
    };
    let virtual_top = top.max(0.0) * scale;
    let first = ((virtual_top / ROW_HEIGHT).floor() as usize)
        .saturating_sub(OVERSCAN)
        .min(n);
    let last = (((virtual_top + seen) / ROW_HEIGHT).ceil() as usize + OVERSCAN).min(n);
    Window {
        first,
        last,
        y: (first as f64 * ROW_HEIGHT - virtual_top + top.max(0.0)).clamp(0.0, body),
        body,
    }
}

/// The case table. `changed` fires after every change of the engine's filters.
#[component]
pub fn CaseTable(
    engine: StoredValue<Option<Engine>, LocalStorage>,
    changed: Signal<()>,
) -> impl IntoView {
    let lang = use_lang();
    let order = RwSignal::new(FIRST_ORDER);
    let sorter = StoredValue::new(None::<Sorter>);
    // The selected rows in order (engine row numbers), and a version bumped when they change.
    let rows = StoredValue::new(Vec::<u32>::new());
    let version = RwSignal::new(0u64);
    let count = RwSignal::new(None::<usize>);
    let provinces = StoredValue::new(HashMap::<String, String>::new());
    let top = RwSignal::new(0.0f64);
    let view_h = RwSignal::new(DEFAULT_VIEW);
    let scroller = NodeRef::<leptos::html::Div>::new();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    // The case whose history is open.
    let opened = RwSignal::new(None::<u32>);

    // Sort again when the selection or the order changes (never on scroll).
    Effect::new(move |_| {
        changed.track();
        let o = order.get();
        let sorted = engine.with_value(|e| {
            let e = e.as_ref()?;
            let fresh = sorter.with_value(|s| s.is_none());
            if fresh {
                sorter.set_value(Some(Sorter::new(e.facts())));
            }
            sorter.with_value(|s| s.as_ref().map(|s| s.sorted_rows(e, Some(o))))
        });
        let Some(sorted) = sorted else { return };
        let n = sorted.len();
        rows.set_value(sorted);
        #[cfg(feature = "hydrate")]
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
            view_h.set(el.client_height() as f64);
        }
        top.set(0.0);
        count.set(Some(n));
        version.update(|v| *v += 1);
    });

    // Province names, when the API gives them (codes are shown until then).
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(units) =
                crate::api::get::<Vec<domain::api::Unit>>("/api/v1/units?level=province").await
            {
                provinces.set_value(units.into_iter().map(|u| (u.code, u.name)).collect());
                version.update(|v| *v += 1);
            }
        });
    });

    let on_scroll = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = scroller.get_untracked() {
            top.set(el.scroll_top() as f64);
            view_h.set(el.client_height() as f64);
        }
    };
    let win = Memo::new(move |_| window(count.get().unwrap_or(0), top.get(), view_h.get()));

    let toggle = move |c: Column| {
        order.update(|o| {
            *o = Order {
                column: c,
                descending: o.column == c && !o.descending,
            }
        })
    };

    let export = move |excel: bool| {
        busy.set(true);
        failed.set(false);
        let run = move || {
            let l = lang.get_untracked();
            let file = engine.with_value(|e| {
                let e = e.as_ref()?;
                rows.with_value(|rs| {
                    provinces.with_value(|p| {
                        let words = Words {
                            lang: l,
                            provinces: p,
                            file: true,
                        };
                        Some(if excel {
                            table::to_xlsx(e.facts(), rs, &words, text(l, Key::ExportSheet))
                                .map(|b| (b, XLSX_TYPE, "xlsx"))
                        } else {
                            Ok((
                                table::to_csv(e.facts(), rs, &words).into_bytes(),
                                "text/csv;charset=utf-8",
                                "csv",
                            ))
                        })
                    })
                })
            });
            match file {
                Some(Ok((bytes, mime, ext))) => {
                    let name = format!("{}-{}.{ext}", text(l, Key::ExportFileStem), today());
                    crate::browser::save_file(&name, mime, &bytes);
                }
                Some(Err(_)) => failed.set(true),
                None => {}
            }
            busy.set(false);
        };
        // Let the button show that it is working before the file is built.
        set_timeout(run, std::time::Duration::from_millis(20));
    };

    view! {
        <section class="card case-table" data-testid="case-table">
            <div class="card-head case-table-head">
                <h2>{move || text(lang.get(), Key::CaseList)}</h2>
                <p class="table-count" data-testid="table-count"
                    data-value=move || count.get().map(|n| n.to_string())>
                    {move || count.get().map(|n| format!("{} {}", format::integer(n as i64, lang.get()), text(lang.get(), Key::CaseFiles)))}
                </p>
                <p class="hint">{move || text(lang.get(), Key::SortHint)}" "{move || text(lang.get(), Key::HistHint)}</p>
                <div class="table-actions">
                    <button type="button" class="btn-secondary" data-testid="export-csv"
                        disabled=move || busy.get() || count.get().is_none()
                        on:click=move |_| export(false)>{move || text(lang.get(), Key::ExportCsv)}</button>
                    <button type="button" class="btn-secondary" data-testid="export-xlsx"
                        disabled=move || busy.get() || count.get().is_none()
                        on:click=move |_| export(true)>{move || text(lang.get(), Key::ExportExcel)}</button>
                </div>
            </div>
            {move || busy.get().then(|| view! { <p class="hint table-status" role="status">{text(lang.get(), Key::Exporting)}</p> })}
            {move || failed.get().then(|| view! { <p class="load-failed" role="alert">{text(lang.get(), Key::ExportFailed)}</p> })}
            <div class="case-scroll" node_ref=scroller on:scroll=on_scroll tabindex="0" role="table"
                aria-label=move || text(lang.get(), Key::CaseList)
                aria-rowcount=move || count.get().unwrap_or(0) + 1>
                <div role="rowgroup" class="case-head-group">
                    <div role="row" class="case-head" aria-rowindex="1">
                        {Column::ALL.iter().map(|&c| {
                            let sort = move || {
                                let o = order.get();
                                match (o.column == c, o.descending) {
                                    (false, _) => "none",
                                    (true, false) => "ascending",
                                    (true, true) => "descending",
                                }
                            };
                            view! {
                                <div role="columnheader" class=format!("cell c-{}", c.as_str()) aria-sort=sort
                                    data-column=c.as_str()>
                                    <button type="button" class="sort" on:click=move |_| toggle(c)>
                                        <span>{move || text(lang.get(), header_key(c))}</span>
                                        <span class="sort-mark" aria-hidden="true">{move || match sort() {
                                            "ascending" => "▲",
                                            "descending" => "▼",
                                            _ => "↕",
                                        }}</span>
                                    </button>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                </div>
                <div role="rowgroup" class="case-body" style=move || format!("height:{}px", win.get().body)>
                    <div class="case-rows" style=move || format!("transform:translateY({}px)", win.get().y)>
                        <For
                            each=move || {
                                let w = win.get();
                                let key = (version.get(), lang.get());
                                (w.first..w.last).map(move |i| (key, i)).collect::<Vec<_>>()
                            }
                            key=|k| *k
                            children=move |((_, l), i)| case_row(engine, rows, provinces, i, l, opened)
                        />
                    </div>
                </div>
            </div>
            {move || (count.get() == Some(0)).then(|| view! { <p class="table-empty">{text(lang.get(), Key::NoRows)}</p> })}
            {move || opened.get().map(|id| view! {
                <super::history::CaseHistoryPanel id=id on_close=move || opened.set(None)/>
            })}
        </section>
    }
}

/// Row `i` of the sorted list.
fn case_row(
    engine: StoredValue<Option<Engine>, LocalStorage>,
    rows: StoredValue<Vec<u32>>,
    provinces: StoredValue<HashMap<String, String>>,
    i: usize,
    lang: Lang,
    opened: RwSignal<Option<u32>>,
) -> impl IntoView {
    let cells = engine.with_value(|e| {
        let e = e.as_ref()?;
        let f = e.facts();
        let r = rows.with_value(|rs| rs.get(i).copied())? as usize;
        (r < f.len()).then_some(())?;
        provinces.with_value(|p| {
            let words = Words {
                lang,
                provinces: p,
                file: false,
            };
            // The row's id and amount (millions of đồng) go into attributes too.
            let (mut id, mut amount) = (0u32, 0i64);
            let cells: Vec<(Column, String, Option<String>)> = Column::ALL
                .iter()
                .map(|&c| {
                    let (shown, full) = match table::value(f, r, c, &words) {
                        Value::Empty => (String::new(), None),
                        Value::Id(x) => {
                            id = x;
                            (x.to_string(), None)
                        }
                        Value::Date(d) => (format::date(d), None),
                        Value::Text(t) => (t.to_string(), Some(t.to_string())),
                        Value::List(ws) => {
                            let s = ws.join(", ");
                            (s.clone(), Some(s))
                        }
                        Value::Vnd(0) => ("–".to_string(), None),
                        Value::Vnd(n) => {
                            amount = n / 1_000_000;
                            (
                                format::vnd(n, lang),
                                Some(format!("{} đ", format::integer(n, lang))),
                            )
                        }
                    };
                    (c, shown, full)
                })
                .collect();
            Some((id, amount, cells))
        })
    });
    let (id, amount, cells) = cells.unwrap_or_default();
    view! {
        <div role="row" class="case-row" class:odd=i % 2 == 1 aria-rowindex=i + 2
            data-row-id=id data-amount=amount tabindex="0"
            class:opened=move || opened.get() == Some(id)
            on:click=move |_| opened.set(Some(id))
            on:keydown=move |e: leptos::ev::KeyboardEvent| {
                if e.key() == "Enter" { opened.set(Some(id)) }
            }>
            {cells.into_iter().map(|(c, shown, full)| view! {
                <div role="cell" class=format!("cell c-{}", c.as_str()) title=full>{shown}</div>
            }).collect_view()}
        </div>
    }
}

/// Today's date in the browser's time zone, yyyy-mm-dd (for file names).
fn today() -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new_0();
        format!(
            "{:04}-{:02}-{:02}",
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date()
        )
    }
    #[cfg(not(feature = "hydrate"))]
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_list_renders_every_row_in_place() {
        let w = window(5, 0.0, 420.0);
        assert_eq!((w.first, w.last, w.y, w.body), (0, 5, 0.0, 170.0));
    }

    #[test]
    fn a_long_list_renders_only_the_rows_in_view_and_a_margin() {
        // 100,000 rows scrolled to row 50,000: 380 px of body show 11.2 rows.
        let top = 50_000.0 * ROW_HEIGHT;
        let w = window(100_000, top, 420.0);
        assert_eq!((w.first, w.last), (50_000 - OVERSCAN, 50_012 + OVERSCAN));
        assert_eq!(w.y, (50_000 - OVERSCAN) as f64 * ROW_HEIGHT);
        assert_eq!(w.body, 100_000.0 * ROW_HEIGHT);
    }

    #[test]
    fn a_body_too_tall_for_the_browser_maps_the_scroll_in_proportion() {
        let n = 1_000_000;
        let w = window(n, 0.0, 420.0);
        assert_eq!(w.body, MAX_BODY);
        assert_eq!(w.first, 0);
        // Scrolled to the end, the last row is rendered, and it sits at the bottom of the view.
        let seen = 420.0 - HEADER_HEIGHT;
        let end = window(n, MAX_BODY - seen, 420.0);
        assert_eq!(end.last, n);
        let last_bottom = end.y + (n - end.first) as f64 * ROW_HEIGHT;
        assert!((last_bottom - MAX_BODY).abs() < 1e-3, "{last_bottom}");
        assert!(end.last - end.first < 40);
    }
}
