//! The Prometheus HTTP API's answer to an instant query, parsed from bytes.
//! Every shape it can take has its own outcome; nothing here can panic.
//! Every word Prometheus sends (errors, warnings) is made safe here.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::domain::text;

/// One series of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub labels: BTreeMap<String, String>,
    /// May be NaN or ±Inf, as Prometheus sent it.
    pub value: f64,
    /// When Prometheus evaluated it, in Unix seconds by its own clock.
    pub at: f64,
}

/// A successful instant query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InstantVector {
    pub points: Vec<Point>,
    /// Warnings Prometheus attached to a successful answer.
    pub warnings: Vec<String>,
}

/// Why an answer brought no vector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// `status: error`, with Prometheus's own type and words.
    #[error("Prometheus answered {error_type}: {error}")]
    Api { error_type: String, error: String },
    /// A non-2xx answer without a Prometheus error body.
    #[error("HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("the answer is not JSON: {0}")]
    NotJson(String),
    #[error("the answer is not a Prometheus API response: {0}")]
    Shape(String),
    #[error(
        "the query gives a {0}, not an instant vector; write it as sum by (region, version) (…)"
    )]
    NotVector(String),
}

/// The longest excerpt of a body in an error message, in characters.
const EXCERPT_CHARS: usize = 121;

/// A short, safe excerpt of a body for error messages.
fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    let shown = text::outside(&String::from_utf8_lossy(body), EXCERPT_CHARS, secrets);
    if shown.is_empty() {
        return "(empty body)".to_string();
    }
    shown
}

/// A sample value: a JSON string holding a float, `NaN` or `±Inf`.
fn sample_value(v: &Value) -> Option<f64> {
    let s = v.as_str()?;
    match s {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok(),
    }
}

fn point(entry: &Value) -> Result<Point, ResponseError> {
    let shape = |what: &str| ResponseError::Shape(what.to_string());
    let metric = entry
        .get("metric")
        .and_then(Value::as_object)
        .ok_or_else(|| shape("a series has no `metric` object"))?;
    let labels = metric
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect();
    let pair = entry
        .get("value")
        .and_then(Value::as_array)
        .filter(|a| a.len() == 2)
        .ok_or_else(|| shape("a series has no [time, value] pair"))?;
    let value = sample_value(&pair[1]).ok_or_else(|| shape("a sample value is not a number"))?;
    let at = pair[0]
        .as_f64()
        .ok_or_else(|| shape("a sample time is not a number"))?;
    Ok(Point { labels, value, at })
}

/// Parse the answer to `GET/POST /api/v1/query`.
pub fn parse(status: u16, body: &[u8]) -> Result<InstantVector, ResponseError> {
    parse_masked(status, body, &[])
}

/// Parse the answer to `GET/POST /api/v1/query`, with `secrets` (the
/// tokens sent) masked in every word of it that is kept.
pub fn parse_masked(
    status: u16,
    body: &[u8],
    secrets: &[&str],
) -> Result<InstantVector, ResponseError> {
    let json: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) if !(200..300).contains(&status) => {
            return Err(ResponseError::Http {
                status,
                body: excerpt(body, secrets),
            });
        }
        Err(_) => return Err(ResponseError::NotJson(excerpt(body, secrets))),
    };
    let field = |k: &str| {
        json.get(k)
            .and_then(Value::as_str)
            .map(|t| text::message(t, secrets))
    };
    match field("status").as_deref() {
        Some("success") if (200..300).contains(&status) => {}
        Some("error") => {
            return Err(ResponseError::Api {
                error_type: field("errorType").unwrap_or_else(|| "error".to_string()),
                error: field("error").unwrap_or_else(|| "(no message)".to_string()),
            });
        }
        _ if !(200..300).contains(&status) => {
            return Err(ResponseError::Http {
                status,
                body: excerpt(body, secrets),
            });
        }
        _ => return Err(ResponseError::Shape("no `status: success`".to_string())),
    }
    let warnings = json
        .get("warnings")
        .and_then(Value::as_array)
        .map(|w| {
            w.iter()
                .filter_map(Value::as_str)
                .map(|t| text::message(t, secrets))
                .collect()
        })
        .unwrap_or_default();
    let data = json
        .get("data")
        .ok_or_else(|| ResponseError::Shape("no `data`".to_string()))?;
    match data.get("resultType").and_then(Value::as_str) {
        Some("vector") => {}
        Some(other) => return Err(ResponseError::NotVector(text::outside(other, 40, secrets))),
        None => return Err(ResponseError::Shape("no `data.resultType`".to_string())),
    }
    let result = data
        .get("result")
        .and_then(Value::as_array)
        .ok_or_else(|| ResponseError::Shape("`data.result` is not a list".to_string()))?;
    let points = result.iter().map(point).collect::<Result<_, _>>()?;
    Ok(InstantVector { points, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(body: &str) -> InstantVector {
        parse(200, body.as_bytes()).unwrap()
    }

    fn err(status: u16, body: &str) -> ResponseError {
        parse(status, body.as_bytes()).err().unwrap()
    }

    #[test]
    fn a_vector_with_every_kind_of_value() {
        let v = ok(
            r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"region":"eu","version":"v1"},"value":[1700000000.5,"0.25"]},
            {"metric":{"region":"us","version":"v1"},"value":[1700000000.5,"NaN"]},
            {"metric":{"region":"ap","version":"v1"},"value":[1700000000.5,"+Inf"]},
            {"metric":{"region":"sa","version":"v1"},"value":[1700000000.5,"-Inf"]},
            {"metric":{"region":"me","version":"v1"},"value":[1700000000.5,"1e-3"]}]}}"#,
        );
        let values: Vec<f64> = v.points.iter().map(|p| p.value).collect();
        assert_eq!(values[0], 0.25);
        assert!(values[1].is_nan());
        assert_eq!(values[2], f64::INFINITY);
        assert_eq!(values[3], f64::NEG_INFINITY);
        assert_eq!(values[4], 0.001);
        assert!(v.points.iter().all(|p| p.at == 1_700_000_000.5));
        assert_eq!(
            v.points[0].labels.get("region").map(String::as_str),
            Some("eu")
        );
        assert!(v.warnings.is_empty());
    }

    #[test]
    fn an_empty_result_is_an_empty_vector() {
        let v = ok(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#);
        assert!(v.points.is_empty());
    }

    #[test]
    fn warnings_are_kept() {
        let v = ok(
            r#"{"status":"success","warnings":["partial response: store eu down"],
            "data":{"resultType":"vector","result":[]}}"#,
        );
        assert_eq!(v.warnings, ["partial response: store eu down"]);
    }

    #[test]
    fn series_with_missing_labels_still_parse() {
        let v = ok(
            r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{},"value":[1,"3"]}]}}"#,
        );
        assert!(v.points[0].labels.is_empty());
    }

    #[test]
    fn api_errors_carry_type_and_message() {
        let e = err(
            400,
            r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected ')'"}"#,
        );
        assert_eq!(
            e,
            ResponseError::Api {
                error_type: "bad_data".into(),
                error: "1:5: parse error: unexpected ')'".into()
            }
        );
        let e = err(
            503,
            r#"{"status":"error","errorType":"timeout","error":"query timed out"}"#,
        );
        assert!(e.to_string().contains("timeout: query timed out"));
    }

    #[test]
    fn http_errors_without_a_prometheus_body() {
        let e = err(502, "<html><body>Bad Gateway</body></html>");
        assert_eq!(
            e,
            ResponseError::Http {
                status: 502,
                body: "<html><body>Bad Gateway</body></html>".into()
            }
        );
        assert!(matches!(
            err(401, ""),
            ResponseError::Http { status: 401, .. }
        ));
        assert!(matches!(
            err(404, r#"{"message":"no route"}"#),
            ResponseError::Http { status: 404, .. }
        ));
    }

    #[test]
    fn bodies_that_are_not_the_api() {
        assert!(matches!(
            err(200, "<!doctype html>login"),
            ResponseError::NotJson(_)
        ));
        assert!(matches!(err(200, "[]"), ResponseError::Shape(_)));
        assert!(matches!(
            err(200, r#"{"status":"success"}"#),
            ResponseError::Shape(_)
        ));
        assert!(matches!(
            err(
                200,
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}"#
            ),
            ResponseError::Shape(_)
        ));
        assert!(matches!(
            err(
                200,
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}}"#
            ),
            ResponseError::Shape(_)
        ));
    }

    #[test]
    fn other_result_types_say_what_to_do() {
        let e = err(
            200,
            r#"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#,
        );
        assert_eq!(e, ResponseError::NotVector("scalar".into()));
        assert!(e.to_string().contains("sum by (region, version)"));
        let e = err(
            200,
            r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
        );
        assert_eq!(e, ResponseError::NotVector("matrix".into()));
    }

    #[test]
    fn long_bodies_are_cut_in_messages() {
        let body = "x".repeat(10_000);
        let msg = err(500, &body).to_string();
        assert!(msg.len() < 200, "{msg}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn no_byte_string_panics(status in 0u16..1000, body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(status, &body);
        }

        #[test]
        fn no_json_shaped_string_panics(status in 100u16..600, body in r#"\{("status":"(success|error)",)?("data":\{("resultType":"(vector|scalar)",)?"result":\[(\{"metric":\{("a":"b")?\},"value":\[[0-9.]{0,4},"[-+0-9.eINaf]{0,5}"\]\},?){0,3}\]\},?)?("warnings":\[("w",?){0,2}\])?\}"#) {
            let _ = parse(status, body.as_bytes());
        }
    }
}
