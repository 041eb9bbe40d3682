//! Reports (`/reports`): a unit's report for a month, quarter or year, drawn from
//! `GET /api/v1/reports/preview` — headline tiles, charts, and the same tables as the PDF, XLSX
//! and CSV files (`domain::report::tables`) — with a print stylesheet for a clean A4 page
//! (style/80-reports.css), downloads, keeping a report, the kept reports and the schedules.
//!
//! The report's own words (titles, columns) are `domain::report::Word`, shared with the server's
//! files so that every form of a report says the same; the page's controls are `Rp…` keys.

use crate::api::{self, ApiFailure};
use crate::components::shell::AppShell;
use crate::i18n::{Key, Lang, t, text, use_lang};
use domain::api::{Me, Unit};
use domain::format;
use domain::report::{
    Cadence, Compared, KeptReport, Labels, Report, ReportPeriod, Schedule, Table, Word,
    header_lines, tables,
};
use leptos::prelude::*;

/// The labels of the vocabularies, the app's own.
fn labels() -> Labels {
    Labels {
        kind: crate::labels::kind,
        sector: crate::labels::sector,
        alert_kind: crate::labels::alert_kind,
    }
}

/// Today in the browser (the server renders nothing that depends on it).
fn today() -> chrono::NaiveDate {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new_0();
        chrono::NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    chrono::Local::now().date_naive()
}

/// The periods offered for a cadence, newest first: the current one and those before it.
fn periods(cadence: Cadence, today: chrono::NaiveDate) -> Vec<ReportPeriod> {
    let n = match cadence {
        Cadence::Month => 24,
        Cadence::Quarter => 12,
        Cadence::Year => 6,
    };
    let mut p = ReportPeriod::containing(cadence, today);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(p);
        p = p.previous();
    }
    out
}

fn cadence_key(c: Cadence) -> Key {
    match c {
        Cadence::Month => Key::RpMonth,
        Cadence::Quarter => Key::RpQuarter,
        Cadence::Year => Key::RpYear,
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! { <AppShell><Reports/></AppShell> }
}

#[component]
fn Reports() -> impl IntoView {
    let lang = use_lang();
    let me = use_context::<LocalResource<Result<Me, ApiFailure>>>();
    let query = leptos_router::hooks::use_query_map();
    let unit = RwSignal::new(query.get_untracked().get("unit").unwrap_or_default());
    let initial: Option<ReportPeriod> = query
        .get_untracked()
        .get("period")
        .and_then(|p| p.parse().ok());
    let cadence = RwSignal::new(initial.map_or(Cadence::Quarter, |p| p.cadence));
    let period = RwSignal::new(initial);
    // Each change of unit or period is one request; the URL keeps the choice.
    let chosen = move || {
        let p = period
            .get()
            .unwrap_or_else(|| ReportPeriod::last_closed(cadence.get(), today()));
        (unit.get(), p)
    };
    let navigate = StoredValue::new_local(leptos_router::hooks::use_navigate());
    Effect::new(move |_| {
        let (u, p) = chosen();
        if !u.is_empty() {
            let url = format!("/reports?unit={u}&period={p}");
            let options = leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            };
            navigate.with_value(|n| n(&url, options));
        }
    });
    // The caller's unit is the default.
    Effect::new(move |_| {
        if let Some(Ok(m)) = me.and_then(|m| m.get())
            && unit.get_untracked().is_empty()
        {
            unit.set(m.scope.clone());
        }
    });
    let scope = move || me.and_then(|m| m.get()).and_then(|r| r.ok());
    let units = LocalResource::new(move || {
        let scope = scope().map(|m| m.scope);
        async move {
            let Some(scope) = scope else {
                return Ok(Vec::new());
            };
            api::get::<Vec<Unit>>(&format!("/api/v1/units?parent={scope}")).await
        }
    });
    let report = LocalResource::new(move || {
        let (u, p) = chosen();
        async move {
            if u.is_empty() {
                return Err(ApiFailure::Network);
            }
            api::get::<Report>(&format!("/api/v1/reports/preview?unit={u}&period={p}")).await
        }
    });
    let kept_version = RwSignal::new(0u32);
    let kept = LocalResource::new(move || {
        kept_version.track();
        let u = unit.get();
        async move {
            if u.is_empty() {
                return Ok(Vec::new());
            }
            api::get::<Vec<KeptReport>>(&format!("/api/v1/reports?unit={u}")).await
        }
    });
    let keeping = RwSignal::new(false);
    let keep_error = RwSignal::new(None::<String>);
    let keep = move |_| {
        let (u, p) = chosen();
        keeping.set(true);
        keep_error.set(None);
        let l = lang.get_untracked().tag();
        leptos::task::spawn_local(async move {
            let body = serde_json::json!({"unit": u, "period": p.to_string(), "lang": l});
            match api::post::<_, KeptReport>("/api/v1/reports", &body).await {
                Ok(_) => kept_version.update(|v| *v += 1),
                Err(ApiFailure::Status(_, msg)) => keep_error.set(Some(msg)),
                Err(ApiFailure::Network) => {
                    keep_error.set(Some(text(lang.get_untracked(), Key::NetworkError).into()))
                }
            }
            keeping.set(false);
        });
    };
    let file_url = move |format: &str| {
        let (u, p) = chosen();
        format!(
            "/api/v1/reports/file?unit={u}&period={p}&format={format}&lang={}",
            lang.get().tag()
        )
    };
    let can_schedule = move || {
        scope().is_some_and(|m| matches!(m.role, domain::Role::Admin | domain::Role::Leader))
    };

    view! {
        <div class="reports">
            <div class="page-head no-print">
                <h1>{t(Key::RpTitle)}</h1>
                <p class="hint">{t(Key::RpHint)}</p>
            </div>
            <form class="rp-controls no-print" on:submit=|ev| ev.prevent_default()>
                <label>
                    <span>{t(Key::RpUnit)}</span>
                    <select data-testid="rp-unit" on:change=move |ev| unit.set(event_target_value(&ev))>
                        {move || scope().map(|m| {
                            let code = m.scope.clone();
                            view! {
                                <option value=code.clone() selected=move || unit.get() == code>{m.scope_name.clone()}</option>
                            }
                        })}
                        {move || units.get().and_then(|r| r.ok()).map(|list| list.into_iter().map(|u| {
                            let code = u.code.clone();
                            view! {
                                <option value=u.code.clone() selected=move || unit.get() == code>
                                    {format!("{} ({})", u.name, u.code)}
                                </option>
                            }
                        }).collect_view())}
                    </select>
                </label>
                <label>
                    <span>{t(Key::RpCadence)}</span>
                    <select data-testid="rp-cadence" on:change=move |ev| {
                        if let Ok(c) = event_target_value(&ev).parse::<Cadence>() {
                            cadence.set(c);
                            period.set(Some(ReportPeriod::last_closed(c, today())));
                        }
                    }>
                        {Cadence::ALL.into_iter().map(|c| view! {
                            <option value=c.as_str() selected=move || cadence.get() == c>{t(cadence_key(c))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t(Key::RpPeriod)}</span>
                    <select data-testid="rp-period" on:change=move |ev| {
                        period.set(event_target_value(&ev).parse().ok());
                    }>
                        {move || {
                            let current = chosen().1;
                            periods(cadence.get(), today()).into_iter().map(|p| {
                                let l = lang.get();
                                view! {
                                    <option value=p.to_string() selected=p == current>{p.label(l)}</option>
                                }
                            }).collect_view()
                        }}
                    </select>
                </label>
                <div class="rp-actions">
                    <a class="btn-primary" data-testid="rp-pdf" href=move || file_url("pdf") download="">{t(Key::RpDownloadPdf)}</a>
                    <a class="btn-secondary" data-testid="rp-xlsx" href=move || file_url("xlsx") download="">{t(Key::RpDownloadXlsx)}</a>
                    <a class="btn-secondary" data-testid="rp-csv" href=move || file_url("csv") download="">{t(Key::RpDownloadCsv)}</a>
                    <button type="button" class="btn-secondary" data-testid="rp-print" on:click=move |_| print()>{t(Key::RpPrint)}</button>
                    <button type="button" class="btn-secondary" data-testid="rp-keep" disabled=move || keeping.get()
                        on:click=keep>{move || text(lang.get(), if keeping.get() { Key::RpKeeping } else { Key::RpKeep })}</button>
                </div>
                {move || keep_error.get().map(|e| view! { <p class="load-failed" role="alert">{e}</p> })}
            </form>
            // Kept reports and schedules above the report, which is long.
            <div class="rp-panels no-print">
                <section class="rp-side" data-testid="rp-kept">
                    <h2>{t(Key::RpKept)}</h2>
                    <Transition fallback=|| ()>
                        {move || kept.get().and_then(|r| r.ok()).map(|list| view! { <KeptList list=list/> })}
                    </Transition>
                </section>
                <Show when=can_schedule>
                    <Schedules unit=unit/>
                </Show>
            </div>
            <Transition fallback=move || view! { <p class="no-print">{t(Key::Loading)}</p> }>
                {move || report.get().map(|r| match r {
                    Ok(r) => view! { <ReportView r=r/> }.into_any(),
                    Err(ApiFailure::Status(_, msg)) => view! {
                        <p class="load-failed" role="alert" data-testid="rp-failed">{t(Key::RpFailed)}" "{msg}</p>
                    }.into_any(),
                    Err(ApiFailure::Network) => view! { <p class="no-print">{t(Key::Loading)}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

/// Opens the browser's print dialog (the print stylesheet makes an A4 document of the report).
fn print() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

#[component]
fn KeptList(list: Vec<KeptReport>) -> impl IntoView {
    let lang = use_lang();
    if list.is_empty() {
        return view! { <p class="muted">{t(Key::RpKeptNone)}</p> }.into_any();
    }
    view! {
        <table class="rp-kept-table">
            <thead><tr>
                <th>{t(Key::RpUnit)}</th><th>{t(Key::RpPeriod)}</th>
                <th>{t(Key::RpKeptBy)}</th><th>{t(Key::RpActions)}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|k| {
                    let id = k.id;
                    let made_by = if k.schedule.is_some() { text(lang.get_untracked(), Key::RpBySchedule).to_string() } else { k.created_by.clone() };
                    view! {
                        <tr data-testid="rp-kept-row" data-id=id.to_string()>
                            <td>{k.unit_name.clone()}</td>
                            <td class="nowrap">{move || k.period.label(lang.get())}" · "{k.lang.to_uppercase()}</td>
                            <td>{made_by}<br/><span class="muted">{format::local_time(&k.created_at).unwrap_or_default()}</span></td>
                            <td class="rp-links">
                                <a href=format!("/api/v1/reports/{id}/pdf") download="">"PDF"</a>
                                <a href=format!("/api/v1/reports/{id}/xlsx") download="">"XLSX"</a>
                                <a href=format!("/api/v1/reports/{id}/csv") download="">"CSV"</a>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Schedules(unit: RwSignal<String>) -> impl IntoView {
    let lang = use_lang();
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        api::get::<Vec<Schedule>>("/api/v1/reports/schedules")
    });
    let cadence = RwSignal::new(Cadence::Quarter);
    let file_lang = RwSignal::new(Lang::Vi);
    let error = RwSignal::new(None::<String>);
    let fail = move |e: ApiFailure| match e {
        ApiFailure::Status(_, msg) => error.set(Some(msg)),
        ApiFailure::Network => {
            error.set(Some(text(lang.get_untracked(), Key::NetworkError).into()))
        }
    };
    let add = move |_| {
        error.set(None);
        let body = serde_json::json!({
            "unit": unit.get_untracked(),
            "cadence": cadence.get_untracked().as_str(),
            "lang": file_lang.get_untracked().tag(),
        });
        leptos::task::spawn_local(async move {
            match api::post::<_, Schedule>("/api/v1/reports/schedules", &body).await {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => fail(e),
            }
        });
    };
    let remove = move |id: i64| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::delete(&format!("/api/v1/reports/schedules/{id}")).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => fail(e),
            }
        });
    };
    view! {
        <section class="rp-side" data-testid="rp-schedules">
            <h2>{t(Key::RpSchedules)}</h2>
            <p class="hint">{t(Key::RpSchedulesHint)}</p>
            <Transition fallback=|| ()>
                {move || list.get().and_then(|r| r.ok()).map(|list| if list.is_empty() {
                    view! { <p class="muted">{t(Key::RpSchedulesNone)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="rp-schedule-list">
                            {list.into_iter().map(|s| {
                                let id = s.id;
                                view! {
                                    <li data-testid="rp-schedule" data-id=id.to_string()>
                                        <span>{s.unit_name.clone()}" · "{t(cadence_key(s.cadence))}" · "{s.lang.to_uppercase()}</span>
                                        <span class="muted">{t(Key::RpLastKept)}": "
                                            {move || s.last_period.as_deref().and_then(|p| p.parse::<ReportPeriod>().ok())
                                                .map_or("–".to_string(), |p| p.label(lang.get()))}</span>
                                        <button type="button" class="btn-secondary" data-testid="rp-schedule-delete" on:click=move |_| remove(id)>{t(Key::RpDelete)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Transition>
            <div class="rp-schedule-add">
                <label>
                    <span>{t(Key::RpCadence)}</span>
                    <select data-testid="rp-schedule-cadence" on:change=move |ev| {
                        if let Ok(c) = event_target_value(&ev).parse::<Cadence>() { cadence.set(c) }
                    }>
                        {Cadence::ALL.into_iter().map(|c| view! {
                            <option value=c.as_str() selected=move || cadence.get() == c>{t(cadence_key(c))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t(Key::RpLanguage)}</span>
                    <select on:change=move |ev| file_lang.set(Lang::from_tag(&event_target_value(&ev)))>
                        <option value="vi" selected=move || file_lang.get() == Lang::Vi>{t(Key::RpVietnamese)}</option>
                        <option value="en" selected=move || file_lang.get() == Lang::En>{t(Key::RpEnglish)}</option>
                    </select>
                </label>
                <button type="button" class="btn-secondary" data-testid="rp-schedule-add" on:click=add>{t(Key::RpAddSchedule)}</button>
            </div>
            {move || error.get().map(|e| view! { <p class="load-failed" role="alert">{e}</p> })}
        </section>
    }
}

/// The report itself: what the PDF shows, as HTML.
#[component]
fn ReportView(r: Report) -> impl IntoView {
    let lang = use_lang();
    let r = StoredValue::new(r);
    view! {
        <article class="rp-doc" data-testid="rp-report"
            data-unit=r.with_value(|r| r.unit.clone()) data-period=r.with_value(|r| r.period.to_string())>
            {move || {
                let l = lang.get();
                r.with_value(|r| view! {
                    <header class="rp-head">
                        <p class="rp-commission">{Word::Commission.text(l).to_uppercase()}</p>
                        <h2 class="rp-title">{Word::Title.text(l)}</h2>
                        <dl class="rp-meta">
                            {header_lines(r, l).into_iter().map(|(w, v)| view! {
                                <dt>{w.text(l)}</dt><dd>{v}</dd>
                            }).collect_view()}
                        </dl>
                    </header>
                    <div class="rp-tiles">
                        {r.headline.tiles().into_iter().map(|(w, c)| view! { <Tile word=w c=c lang=l/> }).collect_view()}
                    </div>
                    <div class="rp-charts">
                        {month_chart(r, l)}
                        {kind_chart(r, l)}
                    </div>
                    {tables(r, l, &labels()).into_iter().map(|t| view! { <TableView t=t lang=l/> }).collect_view()}
                })
            }}
        </article>
    }
}

fn tile_id(w: Word) -> &'static str {
    match w {
        Word::Inspections => "inspections",
        Word::Supervisions => "supervisions",
        Word::Violations => "violations",
        Word::DisciplinesOrganizations => "disciplines-organizations",
        Word::DisciplinesMembers => "disciplines-members",
        Word::SettledOnTime => "settled-on-time",
        _ => "other",
    }
}

#[component]
fn Tile(word: Word, c: Compared, lang: Lang) -> impl IntoView {
    let change = c
        .change_pct()
        .map_or("–".to_string(), |p| format::change_pct(p, lang));
    view! {
        <div class="rp-tile" data-testid=format!("rp-tile-{}", tile_id(word)) data-value=c.current.to_string()
            data-previous=c.previous.to_string()>
            <span class="rp-tile-label">{word.text(lang)}</span>
            <span class="rp-tile-value">{format::integer(c.current, lang)}</span>
            <span class="rp-tile-last">{Word::LastYear.text(lang)}": "{format::integer(c.previous, lang)}" · "{change}</span>
        </div>
    }
}

fn legend(lang: Lang) -> impl IntoView {
    view! {
        <p class="rp-legend">
            <span class="sw now"></span>{Word::ThisPeriod.text(lang)}
            <span class="sw last"></span>{Word::LastYear.text(lang)}
        </p>
    }
}

/// Bars by month, this period against last year, as SVG.
fn month_chart(r: &Report, lang: Lang) -> impl IntoView + use<> {
    let (w, h, left, bottom) = (600.0_f64, 220.0_f64, 44.0_f64, 26.0_f64);
    let ph = h - bottom - 10.0;
    let top_v = domain::report::axis_top(
        r.by_month
            .iter()
            .map(|m| m.opened.max(m.opened_last_year))
            .max()
            .unwrap_or(0),
    ) as f64;
    let n = r.by_month.len().max(1) as f64;
    // A year's twelve months by their number alone (the year is the period's), so labels never
    // run into each other when the chart is printed half as wide.
    let month_format = if r.by_month.len() > 6 { "%m" } else { "%m/%Y" };
    let group = (w - left) / n;
    let bar = (group * 0.32).min(40.0);
    let grid = (0..=4)
        .map(|i| {
            let y = 10.0 + ph - ph * i as f64 / 4.0;
            let v = (top_v * i as f64 / 4.0).round() as i64;
            view! {
                <line class="grid" x1=left y1=y x2=w y2=y/>
                <text class="axis" x=left - 6.0 y=y + 4.0 text-anchor="end">{format::integer(v, lang)}</text>
            }
        })
        .collect_view();
    let bars = r
        .by_month
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mid = left + group * (i as f64 + 0.5);
            let hc = ph * m.opened as f64 / top_v;
            let hp = ph * m.opened_last_year as f64 / top_v;
            view! {
                <rect class="now" x=mid - bar - 1.0 y=10.0 + ph - hc width=bar height=hc>
                    <title>{format!("{}: {}", m.month.format("%m/%Y"), format::integer(m.opened, lang))}</title>
                </rect>
                <rect class="last" x=mid + 1.0 y=10.0 + ph - hp width=bar height=hp/>
                <text class="value" x=mid - bar / 2.0 - 1.0 y=10.0 + ph - hc - 4.0 text-anchor="middle">{format::integer(m.opened, lang)}</text>
                <text class="axis" x=mid y=h - 8.0 text-anchor="middle">{m.month.format(month_format).to_string()}</text>
            }
        })
        .collect_view();
    view! {
        <figure class="rp-chart" data-testid="rp-chart-month">
            <figcaption>{Word::ByMonth.text(lang)}" · "{Word::Cases.text(lang)}</figcaption>
            {legend(lang)}
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=Word::ByMonth.text(lang)>
                {grid}
                {bars}
                <line class="axis-line" x1=left y1=10.0 + ph x2=w y2=10.0 + ph/>
            </svg>
        </figure>
    }
}

/// Horizontal bars by kind of case, this period against last year, as SVG.
fn kind_chart(r: &Report, lang: Lang) -> impl IntoView + use<> {
    let labels = labels();
    let row = 24.0_f64;
    let (w, left) = (600.0_f64, 250.0_f64);
    let ph = row * r.by_kind.len() as f64;
    let h = ph + 24.0;
    let pw = w - left - 40.0;
    let top_v = domain::report::axis_top(
        r.by_kind
            .iter()
            .map(|k| k.opened.current.max(k.opened.previous))
            .max()
            .unwrap_or(0),
    ) as f64;
    let grid = (0..=4)
        .map(|i| {
            let x = left + pw * i as f64 / 4.0;
            let v = (top_v * i as f64 / 4.0).round() as i64;
            view! {
                <line class="grid" x1=x y1=0.0 x2=x y2=ph/>
                <text class="axis" x=x y=ph + 16.0 text-anchor="middle">{format::integer(v, lang)}</text>
            }
        })
        .collect_view();
    let bars = r
        .by_kind
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let y = row * i as f64;
            let wc = pw * k.opened.current as f64 / top_v;
            let wp = pw * k.opened.previous as f64 / top_v;
            view! {
                <text class="label" x=0.0 y=y + 15.0>{(labels.kind)(k.kind, lang)}</text>
                <rect class="now" x=left y=y + 4.0 width=wc height=9.0/>
                <rect class="last" x=left y=y + 14.0 width=wp height=6.0/>
                <text class="value" x=left + wc + 4.0 y=y + 12.5>{format::integer(k.opened.current, lang)}</text>
            }
        })
        .collect_view();
    view! {
        <figure class="rp-chart" data-testid="rp-chart-kind">
            <figcaption>{Word::ByKind.text(lang)}</figcaption>
            {legend(lang)}
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=Word::ByKind.text(lang)>
                {grid}
                {bars}
                <line class="axis-line" x1=left y1=0.0 x2=left y2=ph/>
            </svg>
        </figure>
    }
}

#[component]
fn TableView(t: Table, lang: Lang) -> impl IntoView {
    let numeric: Vec<bool> = t.columns.iter().map(|c| c.numeric).collect();
    view! {
        <section class="rp-section" data-testid=format!("rp-table-{}", t.key)>
            <h3>{t.title.clone()}</h3>
            <table class="rp-table">
                <thead><tr>
                    {t.columns.iter().map(|c| view! {
                        <th class:num=c.numeric scope="col">{c.title.clone()}</th>
                    }).collect_view()}
                </tr></thead>
                <tbody>
                    {if t.rows.is_empty() {
                        view! { <tr><td class="muted" colspan=t.columns.len().to_string()>{Word::None.text(lang)}</td></tr> }.into_any()
                    } else {
                        t.rows.iter().map(|row| view! {
                            <tr>
                                {row.iter().zip(&numeric).map(|(c, num)| view! {
                                    <td class:num=*num>{c.display(lang)}</td>
                                }).collect_view()}
                            </tr>
                        }).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </section>
    }
}
