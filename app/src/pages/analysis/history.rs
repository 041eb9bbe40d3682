//! A case's history, opened from the case table: every version with who wrote it (an account or
//! a connected system's token, the demo data's `seed`), by which batch and when, and what changed.

use crate::api;
use crate::components::or_failed;
use crate::i18n::{Key, t, text, use_lang};
use domain::api::{CaseHistory, CaseVersion};
use domain::format::{self, Lang};
use leptos::prelude::*;

/// The label of a case field (the contract's flattened name), where the interface has one.
pub fn field_label(field: &str, lang: Lang) -> String {
    let key = match field {
        "kind" => Some(Key::ColKind),
        "sector" => Some(Key::ColSector),
        "status" => Some(Key::ColStatus),
        "opened_on" => Some(Key::ColOpened),
        "concluded_on" => Some(Key::HistConcluded),
        "due_on" => Some(Key::HistDue),
        "subject.type" | "subject.unit" | "subject.ref" => Some(Key::ColSubject),
        "discipline.form" | "discipline.decided_on" => Some(Key::ColDiscipline),
        "violation_categories" => Some(Key::ColCategories),
        "violation" => Some(Key::HistViolation),
        "amount_vnd" => Some(Key::ColAmountVnd),
        "conducting_unit" => Some(Key::HistConducting),
        "theme" => Some(Key::HistTheme),
        "location.lat" | "location.lon" => Some(Key::HistLocation),
        _ => None,
    };
    match key {
        Some(k) => format!("{} ({field})", text(lang, k)),
        None => field.to_string(),
    }
}

/// A field's value as people read it: vocabulary words by their label, yes or no, dates and
/// amounts the local way; codes and text as they are.
pub fn field_value(field: &str, value: &str, lang: Lang) -> String {
    use crate::labels;
    let word = match field {
        "kind" => value.parse().ok().map(|k| labels::kind(k, lang)),
        "sector" => value.parse().ok().map(|k| labels::sector(k, lang)),
        "status" => value.parse().ok().map(|k| labels::status(k, lang)),
        "subject.type" => value.parse().ok().map(|k| labels::subject(k, lang)),
        "discipline.form" => value
            .parse()
            .ok()
            .map(|k| labels::discipline(Some(k), lang)),
        "violation" => Some(text(lang, if value == "true" { Key::Yes } else { Key::No })),
        _ => None,
    };
    if let Some(w) = word {
        return w.to_string();
    }
    match field {
        "violation_categories" => value
            .split(';')
            .map(|c| c.parse().map_or(c, |c| labels::category(c, lang)))
            .collect::<Vec<_>>()
            .join(", "),
        "amount_vnd" => value.parse::<i64>().map_or_else(
            |_| value.to_string(),
            |n| format!("{} đ", format::integer(n, lang)),
        ),
        f if f.ends_with("_on") => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map_or_else(|_| value.to_string(), format::date),
        _ => value.to_string(),
    }
}

/// The panel for case `id`; `on_close` closes it.
#[component]
pub fn CaseHistoryPanel(id: u32, on_close: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let history = LocalResource::new(move || async move {
        api::get::<CaseHistory>(&format!("/api/v1/cases/{id}/history")).await
    });
    view! {
        <aside class="history-panel" data-testid="case-history" aria-label=t(Key::HistTitle)>
            <div class="history-head">
                <h2>{t(Key::HistTitle)}" · "{id}</h2>
                <button type="button" class="btn-ghost" on:click=move |_| on_close()>{t(Key::Close)}</button>
            </div>
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || history.get().map(|r| or_failed(r, |h| view! {
                        <p class="history-key">
                            <code>{h.source.clone()}</code>" · "<code>{h.external_id.clone()}</code>
                        </p>
                        <ol class="history-list" reversed>
                            {h.versions.iter().rev().cloned().map(|v| view! { <Version version=v/> }).collect_view()}
                        </ol>
                    })
                )}
            </Transition>
        </aside>
    }
}

#[component]
fn Version(version: CaseVersion) -> impl IntoView {
    let lang = use_lang();
    let v = version;
    let when = format::local_time(&v.written_at).unwrap_or_default();
    let what = if v.version == 1 {
        Key::HistCreated
    } else if v.changed.is_empty() {
        Key::HistUnchanged
    } else {
        Key::HistChanged
    };
    let changes: Vec<(String, String)> = v
        .changed
        .iter()
        .map(|f| {
            (
                f.clone(),
                v.fields.get(f).cloned().unwrap_or_else(|| "–".into()),
            )
        })
        .collect();
    view! {
        <li class="history-version" class:current=v.current data-version=v.version>
            <p class="history-line">
                <strong>{t(Key::HistVersion)}" "{v.version}</strong>
                {v.current.then(|| view! { <span class="history-current">{t(Key::HistCurrent)}</span> })}
                " · "{when}
            </p>
            <p class="history-by">
                {t(Key::HistBy)}" "<code>{v.written_by.clone()}</code>
                {v.batch.map(|b| view! { " · "{t(Key::UploadBatch)}" "{b} })}
                " · "{t(what)}
            </p>
            {(!changes.is_empty()).then(|| view! {
                <dl class="history-changes">
                    {changes.into_iter().map(|(f, value)| { let f2 = f.clone(); view! {
                        <dt>{move || field_label(&f, lang.get())}</dt>
                        <dd>{move || field_value(&f2, &value, lang.get())}</dd>
                    }}).collect_view()}
                </dl>
            })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_in_the_interface_language() {
        assert_eq!(field_value("status", "planned", Lang::Vi), "Kế hoạch");
        assert_eq!(field_value("violation", "true", Lang::En), "Yes");
        assert_eq!(
            field_value("opened_on", "2026-03-01", Lang::Vi),
            "01/03/2026"
        );
        assert_eq!(
            field_value("amount_vnd", "1250000", Lang::Vi),
            "1.250.000 đ"
        );
        assert_eq!(field_value("subject.unit", "00820", Lang::Vi), "00820");
        assert_eq!(field_value("status", "bogus", Lang::Vi), "bogus");
        assert_eq!(field_label("sector", Lang::En), "Sector (sector)");
        assert_eq!(field_label("external_id", Lang::En), "external_id");
    }
}
