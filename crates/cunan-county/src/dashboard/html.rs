//! The dashboard's HTML: one page layout, escaping, and the charts as inline SVG (no script or
//! font from the network: a county intranet often has none).

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::storage::StaffUser;

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Which tab of the top bar a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Villages,
    Emergency,
    Publish,
}

/// A whole page: the top bar (tabs, who is logged in, 退出) and `body`.
pub fn page(title: &str, user: Option<&StaffUser>, tab: Option<Tab>, body: &str) -> String {
    let mut top = String::new();
    if let Some(user) = user {
        let tab_link = |t: Tab, href: &str, label: &str| {
            let on = if tab == Some(t) { " class=\"on\"" } else { "" };
            format!("<a href=\"{href}\"{on}>{label}</a>")
        };
        let scope = if user.scope_prefix.is_empty() {
            "全县".to_string()
        } else {
            format!("乡镇 {}", user.scope_prefix)
        };
        // Publishing is the county's: township accounts do not see the tab.
        let publish = if user.scope_prefix.is_empty() {
            tab_link(Tab::Publish, "/dashboard/publish", "下发资料")
        } else {
            String::new()
        };
        let _ = write!(
            top,
            "<nav>{}{}{publish}</nav><div class=\"who\"><span data-test=\"who\">{}（{}）</span>\
             <form method=\"post\" action=\"/logout\"><button type=\"submit\" class=\"link\">退出</button></form></div>",
            tab_link(Tab::Villages, "/dashboard", "各村备战"),
            tab_link(Tab::Emergency, "/dashboard/emergency", "应急态势"),
            esc(&user.display_name),
            esc(&scope)
        );
    }
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · 村安县级驾驶舱</title><style>{CSS}</style></head><body>\
         <header class=\"top\"><span class=\"brand\"><span class=\"logo\">安</span>村安 · 县级驾驶舱</span>{top}</header>\
         <main>{body}</main></body></html>",
        esc(title)
    )
}

/// "3 小时前", "2 天前", or "从未同步".
pub fn ago(at: Option<&str>, now: DateTime<Utc>) -> String {
    let Some(t) = at.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return "从未同步".into();
    };
    let minutes = (now - t.with_timezone(&Utc)).num_minutes().max(0);
    match minutes {
        0..=1 => "刚刚".into(),
        2..=59 => format!("{minutes} 分钟前"),
        60..=1439 => format!("{} 小时前", minutes / 60),
        _ => format!("{} 天前", minutes / 1440),
    }
}

/// Horizontal bars, one per label, each `value` of `max` with the value written after it.
pub fn bars(test: &str, rows: &[(String, f64, String)], max: f64, tone: &str) -> String {
    let row_h = 30.0;
    let width = 560.0;
    let label_w = 130.0;
    let bar_w = width - label_w - 120.0;
    let height = row_h * rows.len().max(1) as f64 + 8.0;
    let mut svg = format!(
        "<svg class=\"chart\" data-test=\"{test}\" viewBox=\"0 0 {width} {height}\" role=\"img\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">"
    );
    for (i, (label, value, shown)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = if max > 0.0 { bar_w * value / max } else { 0.0 };
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{ty}\" text-anchor=\"end\" class=\"label\">{label}</text>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{bar_w}\" height=\"20\" rx=\"3\" class=\"track\"/>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{w:.1}\" height=\"20\" rx=\"3\" class=\"bar {tone}\"/>\
             <text x=\"{vx}\" y=\"{ty}\" class=\"value\">{shown}</text>",
            x = label_w - 8.0,
            ty = y + 15.0,
            bx = label_w,
            vx = label_w + bar_w + 8.0,
            label = esc(label),
            shown = esc(shown),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A tone for a self-check score: good, fair or poor.
pub fn score_tone(score: i64) -> &'static str {
    match score {
        80.. => "good",
        60..=79 => "fair",
        _ => "poor",
    }
}

const CSS: &str = r#"
@font-face { font-family:"Cunan Sans"; src:url(/dashboard/font.ttf) format("truetype");
  font-display:swap; }
:root { --blue:#1d4f91; --blue-d:#12345f; --bg:#f1f3f6; --card:#fff; --border:#d9dfe7;
  --text:#1f2933; --muted:#5c6878; --red:#b42318; --red-bg:#fdeceb; --amber:#9a5b00;
  --amber-bg:#fff5e0; --green:#1e7a3c; --green-bg:#e7f5ec; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:14px/1.6 "Microsoft YaHei",
  "PingFang SC","Noto Sans CJK SC","Source Han Sans SC","Cunan Sans",sans-serif; }
.top { display:flex; align-items:center; gap:24px; padding:0 24px; height:52px;
  background:linear-gradient(90deg,var(--blue-d),var(--blue)); color:#fff; }
.brand { font-weight:600; font-size:16px; display:flex; align-items:center; gap:8px; }
.logo { display:inline-grid; place-items:center; width:28px; height:28px; border-radius:6px;
  background:#fff; color:var(--blue-d); font-weight:700; }
nav { display:flex; gap:4px; flex:1; }
nav a { color:#dbe6f4; text-decoration:none; padding:6px 12px; border-radius:6px; }
nav a.on, nav a:hover { background:rgba(255,255,255,.15); color:#fff; }
.who { display:flex; align-items:center; gap:10px; }
.who form { margin:0; }
button.link { background:none; border:0; color:#fff; text-decoration:underline; cursor:pointer; font:inherit; }
main { padding:20px 24px 40px; max-width:1400px; margin:0 auto; }
h1 { font-size:20px; margin:0 0 4px; }
h2 { font-size:16px; margin:0 0 10px; }
.sub { color:var(--muted); margin:0 0 16px; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin-bottom:16px; }
.card { background:var(--card); border:1px solid var(--border); border-radius:8px; padding:14px 16px; }
.stat { min-width:150px; }
.stat .n { font-size:24px; font-weight:600; }
.stat .l { color:var(--muted); }
.stat.warn .n { color:var(--red); }
.two { display:grid; grid-template-columns:1fr 1fr; gap:12px; margin-bottom:16px; }
.chart .label { font-size:13px; fill:var(--text); }
.chart .value { font-size:13px; fill:var(--muted); }
.chart .track { fill:#eef1f5; }
.chart .bar.good { fill:#2f8a4e; } .chart .bar.fair { fill:#d08a1a; } .chart .bar.poor { fill:#c9302c; }
.chart .bar.blue { fill:var(--blue); } .chart .bar.grey { fill:#98a2b0; }
.bar-tools { display:flex; gap:12px; align-items:center; margin:0 0 10px; flex-wrap:wrap; }
select, input[type=text], input[type=password] { font:inherit; padding:6px 10px; border:1px solid var(--border); border-radius:6px; background:#fff; }
.btn { display:inline-block; font:inherit; padding:6px 14px; border-radius:6px; border:1px solid var(--border);
  background:#fff; color:var(--text); text-decoration:none; cursor:pointer; }
.btn.primary { background:var(--blue); border-color:var(--blue); color:#fff; }
table { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--border); border-radius:8px; overflow:hidden; }
th, td { padding:8px 10px; border-bottom:1px solid #edf0f4; text-align:left; white-space:nowrap; }
th { background:#f7f9fb; color:var(--muted); font-weight:600; position:sticky; top:0; }
th[data-sort] { cursor:pointer; user-select:none; }
th[data-sort]::after { content:" ↕"; color:#c3ccd8; }
td.num, th.num { text-align:right; }
tr:hover td { background:#f7faff; }
a { color:var(--blue); }
.pill { display:inline-block; padding:0 8px; border-radius:10px; font-size:12px; }
.pill.good { background:var(--green-bg); color:var(--green); }
.pill.fair { background:var(--amber-bg); color:var(--amber); }
.pill.poor, .pill.bad { background:var(--red-bg); color:var(--red); }
.muted { color:var(--muted); }
.bad { color:var(--red); font-weight:600; }
ul.plain { margin:0; padding-left:18px; }
.login { max-width:380px; margin:60px auto; }
.login label { display:block; margin:12px 0 4px; color:var(--muted); }
.login input { width:100%; }
.error { background:var(--red-bg); color:var(--red); border-radius:6px; padding:8px 12px; margin-top:12px; }
.empty { padding:24px; text-align:center; color:var(--muted); }
.ok { background:var(--green-bg); color:var(--green); border-color:#b7dfc4; margin-bottom:12px; }
.form-grid { display:flex; flex-wrap:wrap; gap:12px 20px; align-items:flex-end; margin-top:12px; }
.form-grid fieldset { border:1px solid var(--border); border-radius:6px; padding:8px 12px; display:flex; gap:12px; flex-wrap:wrap; }
.form-grid legend { color:var(--muted); padding:0 4px; }
.form-grid input[type=number] { width:80px; font:inherit; padding:6px 8px; border:1px solid var(--border); border-radius:6px; }
.form-grid p { margin:0; width:100%; }
"#;

/// Sorting by a click on a column head, and the township filter: a few lines of script, no
/// library. Cells sort by their `data-v` (numbers as numbers), else their text.
pub const TABLE_SCRIPT: &str = r##"
<script>
(function () {
  const table = document.querySelector("table[data-sortable]");
  if (!table) return;
  const body = table.tBodies[0];
  table.querySelectorAll("th[data-sort]").forEach((th, i) => {
    th.addEventListener("click", () => {
      const up = th.dataset.dir !== "up";
      table.querySelectorAll("th").forEach((h) => delete h.dataset.dir);
      th.dataset.dir = up ? "up" : "down";
      const rows = Array.from(body.rows);
      const key = (r) => {
        const c = r.cells[th.cellIndex];
        const v = c.dataset.v ?? c.textContent.trim();
        return th.dataset.sort === "num" ? Number(v) : v;
      };
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const d = x < y ? -1 : x > y ? 1 : 0;
        return up ? d : -d;
      });
      rows.forEach((r) => body.appendChild(r));
    });
  });
  const filter = document.querySelector("#township");
  if (filter) {
    const apply = () => {
      let shown = 0;
      Array.from(body.rows).forEach((r) => {
        const on = !filter.value || r.dataset.township === filter.value;
        r.hidden = !on;
        if (on) shown++;
      });
      const count = document.querySelector("[data-test=shown]");
      if (count) count.textContent = shown;
      const link = document.querySelector("[data-test=export]");
      if (link) link.href = "/dashboard/export.xlsx" + (filter.value ? "?township=" + encodeURIComponent(filter.value) : "");
    };
    filter.addEventListener("change", apply);
    apply();
  }
})();
</script>
"##;
