/// The console's one stylesheet, served at `<base>/assets/console.css`. Light and dark themes
/// follow the system setting (`prefers-color-scheme`).
enum ConsoleStylesheet {
    /// The CSS text.
    static let text = """
        :root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --error: #b42318; }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9aa4ae; --line: #30363d; --accent: #6cb6ff; --error: #ff8a80; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
        header { display: flex; justify-content: space-between; align-items: center; padding: 0.5rem 1.5rem; border-bottom: 1px solid var(--line); }
        header .brand { margin: 0; font-weight: 600; }
        main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
        a { color: var(--accent); }
        label { display: block; font-weight: 600; }
        input { font: inherit; padding: 0.4rem; width: 100%; max-width: 24rem;
          border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
        button { font: inherit; padding: 0.4rem 1rem; border: 1px solid var(--accent); background: var(--accent); color: var(--bg); cursor: pointer; }
        button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        .error { color: var(--error); font-weight: 600; }
        .notice { color: var(--muted); }
        dl.counts { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 1rem; }
        dl.counts div { border: 1px solid var(--line); padding: 1rem; }
        dl.counts dt { color: var(--muted); }
        dl.counts dd { margin: 0; font-size: 1.75rem; font-weight: 600; }
        .skip { position: absolute; left: -10000px; }
        .skip:focus { position: static; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0; padding: 0.5rem 1.5rem;
          border-bottom: 1px solid var(--line); }
        nav a[aria-current="page"] { font-weight: 700; text-decoration: none; }
        table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
        th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        pre { overflow: auto; padding: 0.75rem; border: 1px solid var(--line); max-height: 30rem; }
        .search { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; }
        .banner { border: 2px solid var(--error); padding: 0.75rem 1rem; margin-bottom: 1rem; }
        dl.facts div { display: flex; gap: 1rem; }
        dl.facts dt { min-width: 10rem; color: var(--muted); }
        dl.facts dd { margin: 0; }
        .field-error { color: var(--error); font-weight: 600; margin: 0.25rem 0 0; }
        textarea, select { font: inherit; padding: 0.4rem; border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
        textarea { width: 100%; min-height: 12rem; font-family: ui-monospace, monospace; }
        svg.chart { width: 100%; height: auto; max-height: 12rem; }
        svg.chart .label { font-size: 11px; fill: var(--muted); }
        svg.chart .axis { stroke: var(--line); }
        svg.chart .ok { fill: var(--accent); }
        svg.chart .failed { fill: var(--error); }
        form.inline { display: inline-flex; flex-wrap: wrap; gap: 0.25rem; align-items: center; margin: 0.2rem 0.5rem 0.2rem 0; }
        form.inline label { font-weight: normal; }
        button.danger { background: var(--error); border-color: var(--error); }
        fieldset { border: 1px solid var(--line); margin: 0.5rem 0; }
        p.check { margin: 0.2rem 0; }
        p.check input { width: auto; }
        p.check label { display: inline; font-weight: normal; }
        .logout { display: flex; gap: 0.75rem; align-items: center; }
        .logout button { padding: 0.2rem 0.75rem; }
        .oidc a { display: inline-block; padding: 0.4rem 1rem; border: 1px solid var(--accent); color: var(--accent); text-decoration: none; }
        .state { display: inline-block; padding: 0 0.5rem; border: 1px solid currentColor; border-radius: 0.25rem; font-weight: 600; }
        .state-ok { color: var(--fg); } .state-bad, .state-warn { color: var(--error); } .state-busy { color: var(--accent); }
        .actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin: 1rem 0; }
        a.button { display: inline-block; padding: 0.4rem 1rem; border: 1px solid var(--error); color: var(--error); text-decoration: none; }
        .failure { border: 2px solid var(--error); padding: 0.5rem 1rem; margin: 1rem 0; }
        .failure h2 { margin-top: 0; }
        ol.timeline { list-style: none; padding: 0; border-left: 3px solid var(--line); }
        ol.timeline li.node { margin: 0 0 1rem; padding: 0 0 0 1rem; }
        ol.timeline li.node-bad { border-left: 3px solid var(--error); margin-left: -3px; }
        ol.timeline h3 { margin: 0; font-size: 1rem; }
        .muted { color: var(--muted); font-weight: normal; }
        code.wrap { word-break: break-all; }
        .field { margin: 0 0 1rem; } .hint { color: var(--muted); margin: 0.25rem 0 0; } fieldset.parameters { border: 0; padding: 0; margin: 0; }
        .dropzone { border: 2px dashed var(--line); padding: 1rem; } .dropzone-over { border-color: var(--accent); border-style: solid; }
        fieldset.inline { border: 0; padding: 0; margin: 0.5rem 0; }
        fieldset.inline legend { float: left; margin-right: 1rem; padding: 0; }
        fieldset.inline input { width: auto; margin: 0 0.25rem 0 0.75rem; }
        fieldset.inline label { display: inline; font-weight: 400; }
        ul.problems { margin: 0.25rem 0; padding-left: 1.25rem; }
        .flow-graph-box { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
        figure.graph { margin: 0; max-width: 100%; overflow: auto; }
        .flow-graph rect { fill: var(--bg); stroke: var(--accent); stroke-width: 1.5; }
        .flow-graph text { fill: var(--fg); font-size: 13px; font-family: inherit; }
        .flow-graph .flow-node-type { fill: var(--muted); font-size: 12px; }
        .flow-graph .flow-edge { fill: none; stroke: var(--muted); stroke-width: 1.5; }
        .flow-graph .flow-edge-back { stroke-dasharray: 5 4; }
        .flow-graph .flow-arrowhead { fill: var(--muted); }

        """
}
