//! A thin wasm-bindgen bridge to MapLibre GL JS, served from our own server as an ES module.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(raw_module = "/vendor/maplibre-gl/maplibre-gl.mjs")]
extern "C" {
    /// `maplibregl.Map`.
    #[derive(Clone)]
    pub type Map;

    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Map;

    #[wasm_bindgen(method)]
    pub fn on(this: &Map, event: &str, handler: &js_sys::Function);

    #[wasm_bindgen(method, js_name = on)]
    pub fn on_layer(this: &Map, event: &str, layer: &str, handler: &js_sys::Function);

    #[wasm_bindgen(method, js_name = addSource)]
    pub fn add_source(this: &Map, id: &str, source: &JsValue);

    #[wasm_bindgen(method, js_name = addLayer)]
    pub fn add_layer(this: &Map, layer: &JsValue);

    #[wasm_bindgen(method, js_name = setFeatureState)]
    pub fn set_feature_state(this: &Map, feature: &JsValue, state: &JsValue);

    #[wasm_bindgen(method, js_name = setPaintProperty)]
    pub fn set_paint_property(this: &Map, layer: &str, name: &str, value: &JsValue);

    #[wasm_bindgen(method, js_name = fitBounds)]
    pub fn fit_bounds(this: &Map, bounds: &JsValue, options: &JsValue);

    #[wasm_bindgen(method, js_name = queryRenderedFeatures)]
    pub fn query_rendered_features(
        this: &Map,
        geometry: &JsValue,
        options: &JsValue,
    ) -> js_sys::Array;

    #[wasm_bindgen(method, js_name = getCanvas)]
    pub fn get_canvas(this: &Map) -> web_sys::HtmlElement;

    #[wasm_bindgen(method)]
    pub fn resize(this: &Map);

    #[wasm_bindgen(method)]
    pub fn remove(this: &Map);

    /// `maplibregl.Marker`: an HTML element pinned to a place (used for labels, no glyphs needed).
    pub type Marker;

    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Marker;

    #[wasm_bindgen(method, js_name = setLngLat)]
    pub fn set_lng_lat(this: &Marker, lng_lat: &JsValue) -> Marker;

    #[wasm_bindgen(method, js_name = addTo)]
    pub fn add_to(this: &Marker, map: &Map) -> Marker;
}

/// A JS value from JSON built in Rust (options, styles, sources, layers).
pub fn js(value: serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// Reads `obj.a.b...` as a string, if present.
pub fn get_str(obj: &JsValue, keys: &[&str]) -> Option<String> {
    let mut v = obj.clone();
    for k in keys {
        v = js_sys::Reflect::get(&v, &JsValue::from_str(k)).ok()?;
    }
    v.as_string()
}

#[wasm_bindgen(raw_module = "/vendor/maplibre-gl/maplibre-gl.mjs")]
extern "C" {
    /// A GeoJSON source (`map.getSource(id)`).
    pub type GeoJsonSource;

    #[wasm_bindgen(method, js_name = setData)]
    pub fn set_data(this: &GeoJsonSource, data: &JsValue);

    /// `maplibregl.LngLat`.
    pub type LngLat;

    #[wasm_bindgen(method, getter)]
    pub fn lng(this: &LngLat) -> f64;

    #[wasm_bindgen(method, getter)]
    pub fn lat(this: &LngLat) -> f64;

    /// A map interaction handler (`map.dragPan`, ...).
    pub type Handler;

    #[wasm_bindgen(method)]
    pub fn enable(this: &Handler);

    #[wasm_bindgen(method)]
    pub fn disable(this: &Handler);
}

#[wasm_bindgen(raw_module = "/vendor/maplibre-gl/maplibre-gl.mjs")]
extern "C" {
    #[wasm_bindgen(method, js_name = getSource)]
    pub fn get_source(this: &Map, id: &str) -> Option<GeoJsonSource>;

    /// The place under a pixel of the map's container (`[x, y]`).
    #[wasm_bindgen(method)]
    pub fn unproject(this: &Map, point: &JsValue) -> LngLat;

    #[wasm_bindgen(method, js_name = getCenter)]
    pub fn get_center(this: &Map) -> LngLat;

    #[wasm_bindgen(method, getter, js_name = dragPan)]
    pub fn drag_pan(this: &Map) -> Handler;

    #[wasm_bindgen(method, js_name = setLayoutProperty)]
    pub fn set_layout_property(this: &Map, layer: &str, name: &str, value: &JsValue);

    #[wasm_bindgen(method, js_name = setFilter)]
    pub fn set_filter(this: &Map, layer: &str, filter: &JsValue);
}
