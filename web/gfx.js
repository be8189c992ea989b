// gfx.js — web/canvas.h's primitives on the page's 2D canvas (an emscripten JS
// library: its functions become the wasm module's imports). The page sets
// Module.gfx = { ctx, fonts: [sans, bold, mono] family names, drawn: [] }
// before drawing; `drawn` collects every text drawn this frame with its box.
mergeInto(LibraryManager.library, {
  // Library objects are copied into the output as source text, so the maps
  // are made when the module starts.
  $gfx_state__postset: 'gfx_state.colours = new Map(); gfx_state.widths = new Map();',
  $gfx_state: {
    colour: function (rgba) {
      let c = gfx_state.colours.get(rgba);
      if (c === undefined) {
        c = 'rgba(' + (rgba >>> 24) + ',' + ((rgba >>> 16) & 255) + ',' + ((rgba >>> 8) & 255) + ',' +
            ((rgba & 255) / 255).toFixed(3) + ')';
        gfx_state.colours.set(rgba, c);
      }
      return c;
    },
    font: function (face, px) {
      const g = Module.gfx;
      return (face === 1 ? 'bold ' : '') + px + 'px ' + g.fonts[face];
    },
    // Widths are asked for again every frame: a bounded cache keeps the
    // layout cheap without keeping every string ever shown.
    measure: function (s, face, px) {
      const key = face + ' ' + px + ' ' + s;
      let w = gfx_state.widths.get(key);
      if (w === undefined) {
        const ctx = Module.gfx.ctx;
        ctx.font = gfx_state.font(face, px);
        w = Math.ceil(ctx.measureText(s).width);
        if (gfx_state.widths.size > 20000) gfx_state.widths.clear();
        gfx_state.widths.set(key, w);
      }
      return w;
    },
  },
  gfx_fill__deps: ['$gfx_state'],
  gfx_fill: function (x, y, w, h, rgba) {
    if (w <= 0 || h <= 0) return;
    const ctx = Module.gfx.ctx;
    ctx.fillStyle = gfx_state.colour(rgba);
    ctx.fillRect(x, y, w, h);
  },
  gfx_outline__deps: ['$gfx_state'],
  gfx_outline: function (x, y, w, h, rgba, thick) {
    if (w <= 0 || h <= 0) return;
    const ctx = Module.gfx.ctx, t = Math.max(1, thick);
    ctx.strokeStyle = gfx_state.colour(rgba);
    ctx.lineWidth = t;
    ctx.setLineDash([]);
    ctx.strokeRect(x + t / 2, y + t / 2, w - t, h - t);
  },
  gfx_dashed__deps: ['$gfx_state'],
  gfx_dashed: function (x, y, w, h, rgba, thick, dash) {
    if (w <= 0 || h <= 0) return;
    const ctx = Module.gfx.ctx, t = Math.max(1, thick), d = Math.max(2, dash);
    ctx.strokeStyle = gfx_state.colour(rgba);
    ctx.lineWidth = t;
    ctx.setLineDash([d, d]);
    ctx.strokeRect(x + t / 2, y + t / 2, w - t, h - t);
    ctx.setLineDash([]);
  },
  gfx_hatch__deps: ['$gfx_state'],
  gfx_hatch: function (x, y, w, h, rgba, spacing) {
    if (w <= 0 || h <= 0 || spacing < 2) return;
    const ctx = Module.gfx.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, y, w, h);
    ctx.clip();
    ctx.beginPath();
    for (let d = -h; d < w; d += spacing) {
      ctx.moveTo(x + d, y + h);
      ctx.lineTo(x + d + h, y);
    }
    ctx.strokeStyle = gfx_state.colour(rgba);
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.restore();
  },
  gfx_line__deps: ['$gfx_state'],
  gfx_line: function (x0, y0, x1, y1, rgba, thick, dash) {
    const ctx = Module.gfx.ctx;
    ctx.strokeStyle = gfx_state.colour(rgba);
    ctx.lineWidth = Math.max(1, thick);
    ctx.setLineDash(dash > 0 ? [dash, dash] : []);
    ctx.beginPath();
    ctx.moveTo(x0 + 0.5, y0 + 0.5);
    ctx.lineTo(x1 + 0.5, y1 + 0.5);
    ctx.stroke();
    ctx.setLineDash([]);
  },
  gfx_curve__deps: ['$gfx_state'],
  gfx_curve: function (ax, ay, cx, cy, bx, by, rgba, thick) {
    const ctx = Module.gfx.ctx;
    ctx.strokeStyle = gfx_state.colour(rgba);
    ctx.lineWidth = Math.max(1, thick);
    ctx.beginPath();
    ctx.moveTo(ax, ay);
    ctx.quadraticCurveTo(cx, cy, bx, by);
    ctx.stroke();
  },
  gfx_triangle__deps: ['$gfx_state'],
  gfx_triangle: function (x0, y0, x1, y1, x2, y2, rgba) {
    const ctx = Module.gfx.ctx;
    ctx.fillStyle = gfx_state.colour(rgba);
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.lineTo(x2, y2);
    ctx.closePath();
    ctx.fill();
  },
  gfx_text__deps: ['$gfx_state'],
  gfx_text: function (sp, face, px, rgba, x, y, maxw, h, align) {
    if (px <= 0) return 0;
    let s = UTF8ToString(sp);
    if (s === '') return 0;
    let w = gfx_state.measure(s, face, px);
    if (maxw > 0 && w > maxw) {
      // Cut by characters (not UTF-16 units) until it fits with the ellipsis.
      const chars = Array.from(s);
      let lo = 0, hi = chars.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (gfx_state.measure(chars.slice(0, mid).join('') + '…', face, px) <= maxw) lo = mid; else hi = mid - 1;
      }
      s = chars.slice(0, lo).join('') + '…';
      w = gfx_state.measure(s, face, px);
    }
    const lh = Math.round(px * 1.17); // DejaVu's ascent + descent
    const top = h > 0 ? y + ((h - lh) >> 1) : y;
    const left = maxw > 0 && align === 1 ? x + ((maxw - w) >> 1) : maxw > 0 && align === 2 ? x + maxw - w : x;
    const ctx = Module.gfx.ctx;
    ctx.font = gfx_state.font(face, px);
    ctx.fillStyle = gfx_state.colour(rgba);
    ctx.textBaseline = 'top';
    ctx.fillText(s, left, top + Math.round(px * 0.12));
    if (Module.gfx.drawn) Module.gfx.drawn.push({ text: s, x: left, y: top, w: w, h: lh });
    return w;
  },
  gfx_measure__deps: ['$gfx_state'],
  gfx_measure: function (sp, px, face) {
    return px > 0 ? gfx_state.measure(UTF8ToString(sp), face, px) : 0;
  },
  gfx_clip: function (x, y, w, h) {
    const ctx = Module.gfx.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, y, w, h);
    ctx.clip();
  },
  gfx_unclip: function () {
    Module.gfx.ctx.restore();
  },
});
