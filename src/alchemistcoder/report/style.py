"""The stylesheet shared by the run report and the comparison page."""

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:72rem;color:#1d1f23;padding:0 1rem}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #e3e6ea;padding-bottom:.3rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}td,th{border:1px solid #d5d9de;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#6b7280;font-style:italic}.ok{color:#137333}.bad{color:#b3261e}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap;max-height:18rem;font-size:.85rem}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.pair>div{min-width:0}
img.plot{max-width:100%;border:1px solid #e3e6ea;margin:.4rem 0}
"""
