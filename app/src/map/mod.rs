//! The province choropleth on MapLibre: boundaries from our API, colours from the summary's figures,
//! a tap on a province selects it.

#[cfg(feature = "hydrate")]
pub(crate) mod bridge;

use crate::i18n::{Key, t};
use leptos::prelude::*;

/// One province's value on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapValue {
    pub code: String,
    pub value: f64,
}

/// Colour stops of the choropleth (light to dark), shared by the map and its legend.
pub const RAMP: [&str; 5] = ["#fdf1e4", "#f9c78f", "#f08c45", "#d2561d", "#8f2d0c"];

/// The breaks of the ramp for values up to `max`: 0, max/4, max/2, 3max/4, max.
/// Fixed colour bands for a pace (achieved over expected): the colour below the first stop
/// (no target, given as -1), then each stop and the colour from it up.
pub const PACE_STEPS: &[(f64, &str)] = &[
    (-1.0, "#d5dbe3"),
    (0.0, "#b3261e"),
    (0.8, "#e8710a"),
    (0.95, "#f2c14e"),
    (1.0, "#8cc79a"),
    (1.1, "#2e7d4f"),
];

/// Fixed colour bands for a share done (0 to 1): none (-1), then fifths.
pub const SHARE_STEPS: &[(f64, &str)] = &[
    (-1.0, "#d5dbe3"),
    (0.0, "#efe4d2"),
    (0.2, "#c3d5ec"),
    (0.4, "#86a9d6"),
    (0.6, "#3f72b5"),
    (0.8, "#13315c"),
];

/// The legend of a map coloured by fixed bands: a swatch and a label for each band, then the
/// colour of areas without a value.
#[component]
pub fn StepLegend(
    title: Key,
    steps: &'static [(f64, &'static str)],
    labels: &'static [&'static str],
    none: Key,
) -> impl IntoView {
    view! {
        <div class="legend step-legend">
            <p class="legend-title">{t(title)}</p>
            <ul>
                {steps.iter().skip(1).zip(labels.iter()).map(|((_, colour), label)| view! {
                    <li><span class="swatch" style=format!("background:{colour}")></span>{*label}</li>
                }).collect_view()}
                <li><span class="swatch" style=format!("background:{}", steps[0].1)></span>{t(none)}</li>
            </ul>
        </div>
    }
}

pub fn breaks(max: f64) -> [f64; 5] {
    let m = if max > 0.0 { max } else { 1.0 };
    [0.0, m * 0.25, m * 0.5, m * 0.75, m]
}

/// A choropleth of the areas of one `level` (`province` or `commune`), optionally only those
/// `within` a unit. `values` colours the areas; `selected` is the tapped area's code.
#[component]
pub fn AreaMap(
    level: &'static str,
    within: Option<String>,
    values: Signal<Vec<MapValue>>,
    selected: RwSignal<Option<String>>,
    /// Fixed colour bands ([`PACE_STEPS`]) instead of a ramp scaled to the highest value.
    #[prop(optional)]
    steps: Option<&'static [(f64, &'static str)]>,
    /// The wall's dark theme: a night sea and dark borders.
    #[prop(optional)]
    dark: bool,
) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    let url = match &within {
        Some(w) => format!("/api/v1/boundaries?level={level}&lod=1&within={w}"),
        None => format!("/api/v1/boundaries?level={level}&lod=1"),
    };
    #[cfg(feature = "hydrate")]
    client::mount(container, url, values, selected, steps, dark);
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, values, selected, steps, dark);
    view! {
        <div class="map-wrap">
            <div class="map" node_ref=container data-map-ready="false" role="application"
                aria-label=t(Key::MapTitle)></div>
            <p class="map-attribution">{t(Key::MapAttribution)}</p>
        </div>
    }
}

/// The bounding box `[west, south, east, north]` of a GeoJSON FeatureCollection's coordinates.
pub fn bounds(fc: &serde_json::Value) -> Option<[f64; 4]> {
    fn walk(v: &serde_json::Value, b: &mut [f64; 4]) {
        match v.as_array() {
            Some(a) if a.len() >= 2 && a[0].is_number() => {
                let (x, y) = (a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0));
                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
            Some(a) => a.iter().for_each(|c| walk(c, b)),
            None => {}
        }
    }
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for f in fc.get("features")?.as_array()? {
        walk(f.get("geometry")?.get("coordinates")?, &mut b);
    }
    (b[0] <= b[2]).then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_cover_every_coordinate() {
        let fc = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[105.0, 20.0], [106.5, 21.0], [105.2, 22.5], [105.0, 20.0]]]}},
            {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[[[104.0, 19.0], [104.5, 19.2], [104.1, 19.5], [104.0, 19.0]]]]}}
        ]});
        assert_eq!(bounds(&fc), Some([104.0, 19.0, 106.5, 22.5]));
    }

    #[test]
    fn breaks_never_collapse() {
        assert_eq!(breaks(0.0), [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(breaks(400.0), [0.0, 100.0, 200.0, 300.0, 400.0]);
    }
}

#[cfg(feature = "hydrate")]
pub(crate) mod client {
    use super::bridge::{Map, Marker, get_str, js};
    use super::{MapValue, RAMP, breaks};
    use crate::i18n::{Key, text, use_lang};
    use leptos::prelude::*;
    use serde_json::json;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    const SOURCE: &str = "areas";
    const FILL: &str = "area-fill";

    pub fn mount(
        container: NodeRef<leptos::html::Div>,
        url: String,
        values: Signal<Vec<MapValue>>,
        selected: RwSignal<Option<String>>,
        steps: Option<&'static [(f64, &'static str)]>,
        dark: bool,
    ) {
        let map: StoredValue<Option<Map>, LocalStorage> = StoredValue::new_local(None);
        let loaded = RwSignal::new(false);
        let lang = use_lang();

        Effect::new(move |_| {
            let Some(el) = container.get() else { return };
            if map.with_value(|m| m.is_some()) {
                return;
            }
            let m = if dark {
                country_map_dark(&el)
            } else {
                country_map(&el)
            };
            let is_commune = url.contains("level=commune");
            let url = url.clone();
            on(&m, "load", move |_| {
                let map = map;
                let url = url.clone();
                leptos::task::spawn_local(async move {
                    let Ok(text) = crate::api::get_text(&url).await else {
                        return;
                    };
                    let bounds = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| super::bounds(&v));
                    let data = js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL);
                    let count = js_sys::Reflect::get(&data, &"features".into())
                        .ok()
                        .and_then(|f| f.dyn_into::<js_sys::Array>().ok())
                        .map(|a| a.length())
                        .unwrap_or(0);
                    map.with_value(|m| {
                        let Some(m) = m else { return };
                        let src = js(json!({"type": "geojson", "promoteId": "code"}));
                        let _ = js_sys::Reflect::set(&src, &"data".into(), &data);
                        m.add_source(SOURCE, &src);
                        m.add_layer(&js(json!({
                            "id": FILL, "type": "fill", "source": SOURCE,
                            "paint": {"fill-color": RAMP[0], "fill-opacity": 0.92}
                        })));
                        m.add_layer(&js(json!({
                            "id": "area-line", "type": "line", "source": SOURCE,
                            "paint": {"line-color": match (dark, is_commune) {
                                          (true, _) => "#0b1622",
                                          (false, true) => "#9aabbf",
                                          (false, false) => "#ffffff",
                                      },
                                      "line-width": if is_commune { 0.6 } else { 1.0 }}
                        })));
                        m.add_layer(&js(json!({
                            "id": "area-selected", "type": "line", "source": SOURCE,
                            "paint": {"line-color": "#0b2545",
                                      "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 3, 0]}
                        })));
                        archipelago_labels(m, lang);
                        if let Some([w, so, e, n]) = bounds {
                            m.fit_bounds(&js(json!([[w, so], [e, n]])), &js(json!({"padding": 16, "animate": false})));
                        }
                        if let Some(el) = container.get_untracked() {
                            let _ = el.set_attribute("data-feature-count", &count.to_string());
                        }
                    });
                    loaded.set(true);
                });
            });
            on_layer(&m, "click", FILL, move |e| {
                let features =
                    js_sys::Reflect::get(&e, &"features".into()).unwrap_or(JsValue::NULL);
                let first = js_sys::Reflect::get(&features, &0.into()).unwrap_or(JsValue::NULL);
                if let Some(code) = get_str(&first, &["properties", "code"]) {
                    selected.set(Some(code));
                }
            });
            on_layer(&m, "mouseenter", FILL, {
                let m = m.clone();
                move |_| {
                    let _ = m.get_canvas().style().set_property("cursor", "pointer");
                }
            });
            on_layer(&m, "mouseleave", FILL, {
                let m = m.clone();
                move |_| {
                    let _ = m.get_canvas().style().set_property("cursor", "");
                }
            });
            on(&m, "idle", {
                let m = m.clone();
                move |_| {
                    let Some(el) = container.get_untracked() else {
                        return;
                    };
                    // Before the areas are drawn there is no layer to ask.
                    if !loaded.get_untracked() {
                        return;
                    }
                    let features = m.query_rendered_features(
                        &JsValue::UNDEFINED,
                        &js(json!({"layers": [FILL]})),
                    );
                    let mut codes: Vec<String> = features
                        .iter()
                        .filter_map(|f| get_str(&f, &["properties", "code"]))
                        .collect();
                    codes.sort();
                    codes.dedup();
                    let _ = el.set_attribute("data-rendered-provinces", &codes.len().to_string());
                    let _ = el.set_attribute("data-map-ready", "true");
                }
            });
            let window = web_sys::window();
            if let Some(w) = window {
                let _ = js_sys::Reflect::set(&w, &"oversightMap".into(), &m);
            }
            map.set_value(Some(m));
        });

        // Recolour when the figures change (feature-state: no geometry re-upload).
        Effect::new(move |_| {
            let values = values.get();
            if !loaded.get() {
                return;
            }
            map.with_value(|m| {
                let Some(m) = m else { return };
                let mut expr;
                if let Some(steps) = steps {
                    expr = vec![
                        json!("step"),
                        json!(["coalesce", ["feature-state", "value"], -1]),
                        json!(steps[0].1),
                    ];
                    for (stop, colour) in &steps[1..] {
                        expr.push(json!(stop));
                        expr.push(json!(colour));
                    }
                } else {
                    let max = values.iter().map(|v| v.value).fold(0.0, f64::max);
                    let b = breaks(max);
                    expr = vec![
                        json!("interpolate"),
                        json!(["linear"]),
                        json!(["coalesce", ["feature-state", "value"], 0]),
                    ];
                    for (i, stop) in b.iter().enumerate() {
                        expr.push(json!(stop));
                        expr.push(json!(RAMP[i]));
                    }
                }
                m.set_paint_property(FILL, "fill-color", &js(serde_json::Value::Array(expr)));
                for v in &values {
                    m.set_feature_state(
                        &js(json!({"source": SOURCE, "id": v.code})),
                        &js(json!({"value": v.value})),
                    );
                }
            });
        });

        // Outline the selected province.
        Effect::new(move |prev: Option<Option<String>>| {
            let now = selected.get();
            if loaded.get() {
                map.with_value(|m| {
                    let Some(m) = m else { return };
                    if let Some(Some(old)) = &prev {
                        m.set_feature_state(
                            &js(json!({"source": SOURCE, "id": old})),
                            &js(json!({"selected": false})),
                        );
                    }
                    if let Some(new) = &now {
                        m.set_feature_state(
                            &js(json!({"source": SOURCE, "id": new})),
                            &js(json!({"selected": true})),
                        );
                    }
                });
            }
            now
        });

        on_cleanup(move || {
            map.update_value(|m| {
                if let Some(m) = m.take() {
                    m.remove();
                }
            });
        });
    }

    /// A map of the whole country on our plain sea background, in `el` (no rotation, bounded).
    pub(crate) fn country_map(el: &web_sys::HtmlElement) -> Map {
        map_on(el, "#dde8f0", true)
    }

    /// The wall's map: a night sea, and nothing that moves it (nobody touches a wall).
    fn country_map_dark(el: &web_sys::HtmlElement) -> Map {
        map_on(el, "#0f2233", false)
    }

    fn map_on(el: &web_sys::HtmlElement, sea: &str, interactive: bool) -> Map {
        let options = js(json!({
            "style": {"version": 8, "sources": {}, "layers": [
                {"id": "sea", "type": "background", "paint": {"background-color": sea}}
            ]},
            "interactive": interactive,
            "bounds": [[102.0, 7.4], [117.6, 23.5]],
            "fitBoundsOptions": {"padding": 12},
            "attributionControl": false,
            "dragRotate": false,
            "pitchWithRotate": false,
            "maxBounds": [[90.0, 0.0], [130.0, 30.0]],
        }));
        let _ = js_sys::Reflect::set(&options, &"container".into(), el);
        Map::new(&options)
    }

    /// Names Hoàng Sa and Trường Sa on the map, in the interface's language.
    pub(crate) fn archipelago_labels(m: &Map, lang: RwSignal<crate::i18n::Lang>) {
        for (lon, lat, key) in [(112.0, 16.45, Key::Hoangsa), (114.0, 9.9, Key::Truongsa)] {
            if let Some(label) = label(lang, key) {
                let opts = js(json!({"anchor": "center"}));
                let _ = js_sys::Reflect::set(&opts, &"element".into(), &label);
                Marker::new(&opts)
                    .set_lng_lat(&js(json!([lon, lat])))
                    .add_to(m);
            }
        }
    }

    /// An HTML label that follows the language (markers are HTML: no glyph files needed).
    fn label(lang: RwSignal<crate::i18n::Lang>, key: Key) -> Option<web_sys::Element> {
        let doc = web_sys::window()?.document()?;
        let el = doc.create_element("div").ok()?;
        el.set_class_name("map-label");
        let target = el.clone();
        Effect::new(move |_| target.set_text_content(Some(text(lang.get(), key))));
        Some(el)
    }

    fn on(m: &Map, event: &str, f: impl FnMut(JsValue) + 'static) {
        let c = Closure::<dyn FnMut(JsValue)>::new(f);
        m.on(event, c.as_ref().unchecked_ref());
        c.forget();
    }

    fn on_layer(m: &Map, event: &str, layer: &str, f: impl FnMut(JsValue) + 'static) {
        let c = Closure::<dyn FnMut(JsValue)>::new(f);
        m.on_layer(event, layer, c.as_ref().unchecked_ref());
        c.forget();
    }
}
