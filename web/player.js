/* Stick-Gen web player: plays a .motion v1 file on a 2D canvas with its own perspective camera.
 *
 * No dependencies, no network beyond fetching the .motion it is given. Usage:
 *   StickGenPlayer.boot(element)            reads ?src=FILE.motion, or window.STICKGEN_MOTION (inlined JSON)
 *   const p = StickGenPlayer.create(element); p.load(doc); p.play(); p.pause(); p.seek(frame)
 * Playback follows the display's refresh rate and interpolates between frames. A file with a `camera`
 * (keyframes and/or moves) is shown through that camera, as the MP4 renderer shows it
 * (stickgen/render/camera.py); a file without one starts in the free view of everything. The HTML that
 * stickgen/render/web.py writes gives a scene without a camera the automatic director's camera
 * (stickgen/render/director.py) as keyframes, so it plays as its video does. Drag to orbit freely, wheel
 * or pinch to zoom, double-click to go back to the file's camera (or the default view). Faces and speech
 * follow stickgen/render/faces.py.
 */
(function (global) {
  "use strict";

  // --------------------------------------------------------------------------- vocabulary (stickgen/vocab.py)
  const PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19];
  const J = { pelvis: 0, left_hip: 1, right_hip: 2, neck: 12, head: 15, left_shoulder: 16, right_shoulder: 17 };
  const EXPRESSIONS = {
    neutral: ["dot", 0, "closed", 0], happy: ["arc", 10, "smile", 0.2], sad: ["dot", 20, "frown", 0.1],
    surprised: ["wide", 25, "small_o", 0.7], angry: ["narrow", -25, "frown", 0.3],
    excited: ["wide", 15, "wide_open", 0.8],
  };
  const SPEECH = { talk: [8, "open", 0.6], shout: [6, "wide_open", 1.0], whisper: [10, "small_o", 0.3],
                   sing: [4, "singing", 0.9] };
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#17becf"];
  const CAMERA_MOVES = ["static", "pan", "zoom", "track", "dolly", "crane", "orbit"];
  const TRANSITION_S = 0.3, LIMB_WIDTH = 0.04, HEAD_RADIUS = 0.12, HEAD_LIFT = 0.06, FOV = 40, NEAR = 0.05;
  const FRAMING_MARGIN = 1.15, ELEVATION_DEG = 8, KEYFRAME_FOV = 45, SIDE_VIEW_ELONGATION = 1.8;
  // the render style (stickgen.render.styles, handed over as window.STICKGEN_STYLE); this is "normal"
  let STYLE = { skyTop: "#cee1f2", skyBottom: "#f6f9fc", ground: "#e2e6de", grid: "#cdd2c8",
                shadow: "rgba(60,70,50,0.25)", face: "#23232a", headFill: "#ffffff", limbWidth: LIMB_WIDTH,
                passes: [{ width: 1, mix: 0, mixTo: "#ffffff", glow: false }] };

  // --------------------------------------------------------------------------- vectors
  const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
  const mul = (a, s) => [a[0] * s, a[1] * s, a[2] * s];
  const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const norm = (a) => Math.hypot(a[0], a[1], a[2]);
  const unit = (a, fallback) => { const n = norm(a); return n > 1e-9 ? mul(a, 1 / n) : (fallback || [0, 1, 0]); };
  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
  const smoothstep = (u) => { u = clamp(u, 0, 1); return u * u * (3 - 2 * u); };
  const rotateY = (p, a) => [Math.cos(a) * p[0] + Math.sin(a) * p[2], p[1], -Math.sin(a) * p[0] + Math.cos(a) * p[2]];
  const lerp = (a, b, u) => add(mul(a, 1 - u), mul(b, u));

  // --------------------------------------------------------------------------- validation
  function checkDocument(doc) {
    if (!doc || doc.format !== "stickgen.motion") throw new Error("format: not a stickgen.motion document");
    if (doc.version !== 1) throw new Error("version: unsupported version " + doc.version);
    if (!Array.isArray(doc.actors) || doc.actors.length === 0) throw new Error("actors: needs at least one actor");
    doc.actors.forEach((a, i) => {
      if (!Array.isArray(a.joints) || a.joints.length !== doc.num_frames)
        throw new Error("actors[" + i + "].joints: expected " + doc.num_frames + " frames");
      a.joints.forEach((f, t) => {
        if (!Array.isArray(f) || f.length !== 22)
          throw new Error("actors[" + i + "].joints[" + t + "]: expected 22 joints");
      });
    });
    if (!(doc.fps > 0)) throw new Error("fps: must be positive");
    const ids = doc.actors.map((a, i) => a.id || "a" + i);
    ((doc.camera || {}).moves || []).forEach((m, i) => {
      const where = "camera.moves[" + i + "]";
      if (!CAMERA_MOVES.includes(m.move)) throw new Error(where + ".move: unknown camera move " + JSON.stringify(m.move));
      if (!(0 <= m.start && m.start < m.end && m.end <= doc.num_frames))
        throw new Error(where + ": frames [" + m.start + ", " + m.end + ") are outside the clip of " + doc.num_frames);
      if (m.target_actor !== undefined && !ids.includes(m.target_actor))
        throw new Error(where + ".target_actor: no actor with id " + JSON.stringify(m.target_actor));
    });
  }

  // --------------------------------------------------------------------------- faces
  function faceTrack(actor, frames, fps) {
    const labels = new Array(frames).fill("neutral");
    (actor.expressions || []).forEach((s) => { for (let t = s.start; t < s.end; t++) labels[t] = s.expression; });
    const steps = Math.max(Math.round(TRANSITION_S * fps), 1);
    const out = [];
    let source = labels[0], change = -steps;
    for (let t = 0; t < frames; t++) {
      if (t > 0 && labels[t] !== labels[t - 1]) { source = labels[t - 1]; change = t; }
      const w = Math.min((t - change + 1) / steps, 1), e = smoothstep(w);
      const a = EXPRESSIONS[source], b = EXPRESSIONS[labels[t]], shown = w >= 0.5 ? b : a;
      out.push({ eye: shown[0], brow: a[1] + (b[1] - a[1]) * e, mouth: shown[2], open: a[3] + (b[3] - a[3]) * e });
    }
    (actor.speech || []).forEach((s) => {
      const sp = SPEECH[s.type];
      for (let t = s.start; t < s.end; t++) {
        out[t].mouth = sp[1];
        out[t].open = sp[2] * 0.5 * (1 - Math.cos(2 * Math.PI * sp[0] * (t - s.start) / fps));
      }
    });
    return out;
  }

  // --------------------------------------------------------------------------- free camera (drag to orbit)
  function orbitCamera(orbit) {
    const c = Math.cos(orbit.pitch);
    const offset = [Math.sin(orbit.yaw) * c, Math.sin(orbit.pitch), Math.cos(orbit.yaw) * c];
    return { position: add(orbit.target, mul(offset, orbit.distance)), target: orbit.target, fov: orbit.fov };
  }

  function orbitFrom(camera) {
    const offset = sub(camera.position, camera.target), distance = Math.max(norm(offset), 1e-6);
    return { target: camera.target.slice(), distance, yaw: Math.atan2(offset[0], offset[2]),
             pitch: Math.asin(clamp(offset[1] / distance, -1, 1)), fov: camera.fov };
  }

  // --------------------------------------------------------------------------- the file's camera
  // A port of stickgen/render/camera.py (camera_path): keyframes or the default framing, then the moves.
  const radians = (deg) => (deg * Math.PI) / 180;
  const hasFileCamera = (doc) => ((doc.camera || {}).keyframes || []).length > 0 ||
                                 ((doc.camera || {}).moves || []).length > 0;

  // The default shot's direction (camera.py view_azimuth): the front, or square to the points' long
  // horizontal axis when they stretch along the line of sight SIDE_VIEW_ELONGATION times as far as across.
  function viewAzimuth(points) {
    let mx = 0, mz = 0;
    points.forEach((p) => { mx += p[0]; mz += p[2]; });
    mx /= points.length; mz /= points.length;
    let xx = 0, xz = 0, zz = 0;
    points.forEach((p) => { const x = p[0] - mx, z = p[2] - mz; xx += x * x; xz += x * z; zz += z * z; });
    xx /= points.length; xz /= points.length; zz /= points.length;
    const mean = (xx + zz) / 2, gap = Math.hypot((xx - zz) / 2, xz);
    const big = mean + gap, small = mean - gap;
    let axis = Math.abs(xz) > 1e-12 ? [big - zz, xz] : (xx >= zz ? [1, 0] : [0, 1]);
    const length = Math.hypot(axis[0], axis[1]);
    axis = [axis[0] / length, axis[1] / length];
    if (big < SIDE_VIEW_ELONGATION ** 2 * small || Math.abs(axis[1]) < Math.cos(Math.PI / 4)) return 0;
    let side = [axis[1], -axis[0]];
    if (!(side[1] > 0 || (side[1] === 0 && side[0] > 0))) side = [-side[0], -side[1]];
    return Math.atan2(side[0], side[1]);
  }

  function framePoints(points, aspect, allAround, azimuth = 0) {
    points = points.map((p) => rotateY(p, -azimuth));  // the camera's own frame: it looks along -z
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    points.forEach((p) => { for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k], p[k]); hi[k] = Math.max(hi[k], p[k]); } });
    const target = mul(add(lo, hi), 0.5);
    let half = mul(sub(hi, lo), 0.5);
    if (allAround) {
      const radius = Math.max(...points.map((p) => Math.hypot(p[0] - target[0], p[2] - target[2])));
      half = [radius, half[1], radius];
    }
    half = half.map((h) => Math.max(h, 0.25));
    const tanHalf = Math.tan(radians(FOV) / 2), elevation = radians(ELEVATION_DEG);
    const distance = FRAMING_MARGIN * Math.max(half[1] / tanHalf, half[0] / (tanHalf * aspect)) + half[2];
    const position = add(target, mul([0, Math.sin(elevation), Math.cos(elevation)], distance));
    return { position: rotateY(position, azimuth), target: rotateY(target, azimuth) };
  }

  function keyframePath(keys, frames) {
    const path = { positions: [], targets: [], fovs: [] };
    for (let t = 0; t < frames; t++) {
      let seg = 0;
      while (seg + 1 < keys.length && keys[seg + 1].frame <= t) seg++;
      seg = Math.min(seg, Math.max(keys.length - 2, 0));
      const a = keys[seg], b = keys[Math.min(seg + 1, keys.length - 1)];
      let u = clamp((t - a.frame) / Math.max(b.frame - a.frame, 1e-9), 0, 1);
      if ((a.interpolation || "smooth") === "smooth") u = smoothstep(u);
      path.positions.push(lerp(a.position, b.position, u));
      path.targets.push(lerp(a.target, b.target, u));
      path.fovs.push((a.fov ?? KEYFRAME_FOV) * (1 - u) + (b.fov ?? KEYFRAME_FOV) * u);
    }
    return path;
  }

  function smoothPath(points, sigma) {
    if (sigma <= 0 || points.length < 2) return points.map((p) => p.slice());
    const radius = Math.floor(3 * sigma) + 1, kernel = [];
    for (let k = -radius; k <= radius; k++) kernel.push(Math.exp(-0.5 * (k / sigma) ** 2));
    const total = kernel.reduce((x, y) => x + y, 0);
    return points.map((_, t) => kernel.reduce((acc, w, k) =>
      add(acc, mul(points[clamp(t + k - radius, 0, points.length - 1)], w / total)), [0, 0, 0]));
  }

  const actorOf = (doc, move) => doc.actors.find((a) => a.id === (move.target_actor ?? doc.actors[0].id));

  function trackedOffsets(doc, move) {
    const root = actorOf(doc, move).joints.map((f) => [f[0][0], 0, f[0][2]]);
    const smooth = smoothPath(root, (move.smoothing ?? 0.5) * doc.fps);
    return root.map((_, t) => sub(smooth[clamp(t, move.start, move.end - 1)], smooth[move.start]));
  }

  function applyMove(path, move, doc) {
    const offsets = move.move === "track" ? trackedOffsets(doc, move) : null;
    path.fovs.forEach((fov, t) => {
      const e = smoothstep((t - move.start) / Math.max(move.end - move.start, 1));
      let position = path.positions[t], target = path.targets[t];
      if (move.move === "pan") target = add(position, rotateY(sub(target, position), radians(move.angle ?? 30) * e));
      else if (move.move === "orbit") position = add(target, rotateY(sub(position, target), radians(move.angle ?? 360) * e));
      else if (move.move === "zoom") {
        const factor = 1 + ((move.factor ?? 1.6) - 1) * e;
        path.fovs[t] = (2 * Math.atan(Math.tan(radians(fov) / 2) / factor) * 180) / Math.PI;
      } else if (move.move === "dolly") {
        const toward = sub(target, position), distance = norm(toward);
        const step = move.distance !== undefined ? move.distance : 0.4 * distance;
        position = add(position, mul(toward, (step * e) / Math.max(distance, 1e-9)));
      } else if (move.move === "crane") {
        const height = move.height !== undefined ? move.height : 0.35 * norm(sub(target, position));
        position = add(position, [0, height * e, 0]);
      } else if (move.move === "track") {
        position = add(position, offsets[t]); target = add(target, offsets[t]);
      }
      path.positions[t] = position; path.targets[t] = target;
    });
  }

  function cameraPath(doc, aspect) {
    const moves = (doc.camera || {}).moves || [], keys = (doc.camera || {}).keyframes || [];
    let path;
    if (keys.length) path = keyframePath(keys, doc.num_frames);
    else {
      const track = moves.find((m) => m.move === "track"), points = [], seen = [];
      if (track) {  // framed as the moving camera sees it, looking across the way it goes
        const offsets = trackedOffsets(doc, track);
        actorOf(doc, track).joints.forEach((f, t) => f.forEach((p) => { points.push(sub(p, offsets[t])); seen.push(p); }));
      } else doc.actors.forEach((a) => a.joints.forEach((f) => f.forEach((p) => { points.push(p); seen.push(p); })));
      const orbit = moves.some((m) => m.move === "orbit");
      const shot = framePoints(points, aspect, orbit, orbit ? 0 : viewAzimuth(seen));
      let target = shot.target;
      moves.filter((m) => m.move === "pan").forEach((pan) => {
        target = add(shot.position, rotateY(sub(target, shot.position), -0.5 * radians(pan.angle ?? 30)));
      });
      path = { positions: [], targets: [], fovs: [] };
      for (let t = 0; t < doc.num_frames; t++) {
        path.positions.push(shot.position.slice()); path.targets.push(target.slice()); path.fovs.push(FOV);
      }
    }
    moves.forEach((m) => applyMove(path, m, doc));
    return path;
  }

  function pathCamera(path, frame) {
    const i = Math.floor(frame), j = Math.min(i + 1, path.fovs.length - 1), u = frame - i;
    return { position: lerp(path.positions[i], path.positions[j], u), target: lerp(path.targets[i], path.targets[j], u),
             fov: path.fovs[i] * (1 - u) + path.fovs[j] * u };
  }

  // --------------------------------------------------------------------------- projection
  function makeView(camera, width, height) {
    const position = camera.position;
    const forward = unit(sub(camera.target, position), [0, 0, -1]);
    const right = unit(cross(forward, [0, 1, 0]), [1, 0, 0]);
    const up = cross(right, forward);
    const focal = (0.5 * height) / Math.tan((camera.fov * Math.PI) / 360);
    return {
      position, forward, right, up, focal, width, height,
      depth: (p) => dot(sub(p, position), forward),
      project(p) {
        const r = sub(p, position), z = Math.max(dot(r, forward), NEAR);
        return [0.5 * width + (focal * dot(r, right)) / z, 0.5 * height - (focal * dot(r, up)) / z, z];
      },
    };
  }

  // --------------------------------------------------------------------------- drawing
  const mixCache = new Map();
  function mixColor(a, b, t) {  // "#rrggbb" a moved toward b by t, as styles.mix
    if (!t) return a;
    const key = a + b + t;
    if (!mixCache.has(key)) {
      const x = [1, 3, 5].map((i) => parseInt(a.slice(i, i + 2), 16));
      const y = [1, 3, 5].map((i) => parseInt(b.slice(i, i + 2), 16));
      mixCache.set(key, "rgb(" + x.map((v, i) => Math.round(v + (y[i] - v) * t)).join(",") + ")");
    }
    return mixCache.get(key);
  }

  function facing(j) {
    const across = add(sub(j[J.left_hip], j[J.right_hip]), sub(j[J.left_shoulder], j[J.right_shoulder]));
    return unit([-across[2], 0, across[0]], [0, 0, 1]);
  }

  function drawGround(ctx, view, center) {
    const sky = ctx.createLinearGradient(0, 0, 0, view.height);
    sky.addColorStop(0, STYLE.skyTop); sky.addColorStop(1, STYLE.skyBottom);
    ctx.fillStyle = sky; ctx.fillRect(0, 0, view.width, view.height);
    const flat = unit([view.forward[0], 0, view.forward[2]], [0, 0, -1]);
    const horizon = 0.5 * view.height - (view.focal * dot(flat, view.up)) / Math.max(dot(flat, view.forward), 1e-6);
    ctx.fillStyle = STYLE.ground;
    ctx.fillRect(0, clamp(horizon, -1, view.height + 1), view.width, view.height);
    ctx.strokeStyle = STYLE.grid; ctx.lineWidth = 1; ctx.beginPath();
    const cx = Math.round(center[0]), cz = Math.round(center[1]);
    for (let k = -8; k <= 8; k++) {
      gridLine(ctx, view, [cx + k, 0, cz - 8], [cx + k, 0, cz + 8]);
      gridLine(ctx, view, [cx - 8, 0, cz + k], [cx + 8, 0, cz + k]);
    }
    ctx.stroke();
  }

  function gridLine(ctx, view, a, b) {
    const near = 2 * NEAR, da = view.depth(a), db = view.depth(b);
    if (da < near && db < near) return;
    if (da < near) a = add(a, mul(sub(b, a), (near - da) / (db - da)));
    if (db < near) b = add(b, mul(sub(a, b), (near - db) / (da - db)));
    const pa = view.project(a), pb = view.project(b);
    ctx.moveTo(pa[0], pa[1]); ctx.lineTo(pb[0], pb[1]);
  }

  function drawShadow(ctx, view, j, scale) {
    const lowest = Math.min(...j.map((p) => p[1]));
    const strength = clamp(1 - lowest / (0.8 * scale), 0, 1);
    if (strength < 0.02) return;
    ctx.fillStyle = STYLE.shadow;
    [1.0, 0.72, 0.45].forEach((ring) => {
      ctx.beginPath();
      for (let k = 0; k < 20; k++) {
        const a = (2 * Math.PI * k) / 20, r = 0.32 * scale * ring;
        const p = view.project([j[0][0] + r * Math.cos(a), 0, j[0][2] + r * Math.sin(a)]);
        if (k === 0) ctx.moveTo(p[0], p[1]); else ctx.lineTo(p[0], p[1]);
      }
      ctx.globalAlpha = strength; ctx.fill(); ctx.globalAlpha = 1;
    });
  }

  function drawFace(ctx, view, j, center, radius, radiusPx, face, scale) {
    const headUp = unit(sub(j[J.head], j[J.neck]));
    let fwd = facing(j);
    fwd = unit(sub(fwd, mul(headUp, dot(fwd, headUp))), [0, 0, 1]);
    const left = cross(headUp, fwd), toCam = unit(sub(view.position, center));
    const mouthDir = unit(sub(fwd, mul(headUp, 0.42)));
    const mouthFacing = dot(mouthDir, toCam);
    if (radiusPx < 3 || mouthFacing < -0.3) return;
    const line = Math.max(0.09 * radiusPx, 1), s = 0.13 * radiusPx;
    const faceMid = view.project(add(center, mul(fwd, radius)));
    if (!STYLE.face) return;  // neon draws no face
    ctx.strokeStyle = STYLE.face; ctx.fillStyle = STYLE.face; ctx.lineWidth = line; ctx.lineCap = "round";
    const spread = (28 * Math.PI) / 180;
    [1, -1].forEach((side) => {
      const dir = unit(add(add(mul(fwd, Math.cos(spread)), mul(left, side * Math.sin(spread))), mul(headUp, 0.18)));
      if (dot(dir, toCam) <= 0.12) return;
      const e = view.project(add(center, mul(dir, radius)));
      drawEye(ctx, e, s, face.eye);
      const outward = e[0] >= faceMid[0] ? 1 : -1, half = 0.12 * radiusPx;
      const rise = half * Math.tan((face.brow * Math.PI) / 180), by = e[1] - 0.32 * radiusPx - 0.5 * rise;
      ctx.beginPath(); ctx.moveTo(e[0] - outward * half, by - rise); ctx.lineTo(e[0] + outward * half, by + rise);
      ctx.stroke();
    });
    if (mouthFacing > -0.05) {
      const m = view.project(add(center, mul(mouthDir, radius)));
      drawMouth(ctx, m, radiusPx, face, clamp(mouthFacing * 1.4, 0, 1), line);
    }
  }

  function drawEye(ctx, e, s, kind) {
    ctx.beginPath();
    if (kind === "dot") { ctx.arc(e[0], e[1], s, 0, 2 * Math.PI); ctx.fill(); return; }
    if (kind === "arc") {
      ctx.arc(e[0], e[1] + 0.6 * s, 1.4 * s, 1.15 * Math.PI, 1.85 * Math.PI); ctx.stroke(); return;
    }
    if (kind === "wide") {
      ctx.fillStyle = STYLE.headFill || STYLE.skyBottom; ctx.arc(e[0], e[1], 1.6 * s, 0, 2 * Math.PI); ctx.fill();
      ctx.stroke(); ctx.fillStyle = STYLE.face; ctx.beginPath(); ctx.arc(e[0], e[1], 0.75 * s, 0, 2 * Math.PI); ctx.fill(); return;
    }
    if (kind === "narrow") { ctx.moveTo(e[0] - 1.4 * s, e[1]); ctx.lineTo(e[0] + 1.4 * s, e[1]); ctx.stroke(); return; }
    ctx.arc(e[0], e[1] - 0.6 * s, 1.4 * s, 0.15 * Math.PI, 0.85 * Math.PI); ctx.stroke();  // closed
  }

  function drawMouth(ctx, m, r, face, turn, line) {
    const halfW = 0.26 * r * Math.max(turn, 0.35), halfH = 0.25 * r * face.open;
    ctx.beginPath();
    if (face.mouth === "smile" || face.mouth === "frown") {
      const bulge = Math.max(0.45 * halfW, halfH), smile = face.mouth === "smile";
      const cy = smile ? m[1] - 0.5 * bulge : m[1] + 0.5 * bulge;
      const from = smile ? 0.05 * Math.PI : 1.05 * Math.PI;
      ctx.ellipse(m[0], cy, halfW, bulge, 0, from, from + 0.9 * Math.PI);
      if (face.open > 0.15) { ctx.closePath(); ctx.fill(); } else ctx.stroke();
      return;
    }
    if (face.mouth === "closed" || halfH < 0.5 * line) {
      ctx.moveTo(m[0] - 0.8 * halfW, m[1]); ctx.lineTo(m[0] + 0.8 * halfW, m[1]); ctx.stroke(); return;
    }
    if (face.mouth === "small_o") {
      const rr = halfW * (0.3 + 0.6 * face.open);
      ctx.ellipse(m[0], m[1], rr, rr * 1.2, 0, 0, 2 * Math.PI); ctx.fill(); return;
    }
    const w = { open: 0.75, wide_open: 1.0, singing: 0.55 }[face.mouth] || 0.75;
    const h = { open: 1.0, wide_open: 1.25, singing: 1.35 }[face.mouth] || 1.0;
    ctx.ellipse(m[0], m[1], halfW * w, Math.max(halfH * h, 0.5), 0, 0, 2 * Math.PI); ctx.fill();
  }

  function drawScene(ctx, view, player, frameFloat) {
    const doc = player.doc, f0 = Math.floor(frameFloat), f1 = Math.min(f0 + 1, doc.num_frames - 1), u = frameFloat - f0;
    const poses = doc.actors.map((a) => a.joints[f0].map((p, k) => {
      const q = a.joints[f1][k];
      return [p[0] + (q[0] - p[0]) * u, p[1] + (q[1] - p[1]) * u, p[2] + (q[2] - p[2]) * u];
    }));
    drawGround(ctx, view, player.center);
    const items = [];
    poses.forEach((j, i) => {
      const scale = player.scales[i];
      drawShadow(ctx, view, j, scale);
      const pts = j.map((p) => view.project(p));
      if (Math.min(...j.map((p) => view.depth(p))) <= NEAR) return;
      for (let c = 1; c < 22; c++) {
        const p = PARENTS[c];
        items.push({ depth: 0.5 * (pts[c][2] + pts[p][2]), i, a: pts[p], b: pts[c] });
      }
      const up = unit(sub(j[J.head], j[J.neck]));
      const center = add(j[J.head], mul(up, HEAD_LIFT * scale));
      items.push({ depth: view.depth(center), i, head: center, joints: j });
    });
    items.sort((x, y) => y.depth - x.depth);
    ctx.lineCap = "round";
    const glow = STYLE.passes.filter((p) => p.glow), body = STYLE.passes.filter((p) => !p.glow);
    [[glow, false], [body, true]].forEach(([passes, last]) => items.forEach((it) => {
      const scale = player.scales[it.i];
      const width = (view.focal * STYLE.limbWidth * scale) / Math.max(it.depth, NEAR);
      const c = it.head && view.project(it.head), radius = HEAD_RADIUS * scale;
      const rpx = it.head && (view.focal * radius) / c[2];
      passes.forEach((pass, k) => {
        ctx.strokeStyle = mixColor(player.colors[it.i], pass.mixTo, pass.mix);
        ctx.lineWidth = width * pass.width; ctx.beginPath();
        if (!it.head) { ctx.moveTo(it.a[0], it.a[1]); ctx.lineTo(it.b[0], it.b[1]); ctx.stroke(); return; }
        ctx.arc(c[0], c[1], rpx, 0, 2 * Math.PI);
        if (last && k === 0 && STYLE.headFill) { ctx.fillStyle = STYLE.headFill; ctx.fill(); }
        ctx.stroke();
      });
      if (last && it.head) {
        const face = player.faces[it.i][Math.round(frameFloat) % doc.num_frames];
        drawFace(ctx, view, it.joints, it.head, radius, rpx, face, scale);
      }
    }));
  }

  // --------------------------------------------------------------------------- player
  const TEMPLATE =
    '<canvas class="sg-canvas"></canvas><div class="sg-message" hidden></div>' +
    '<div class="sg-controls"><button class="sg-play" type="button" title="Play/pause (space)">Play</button>' +
    '<input class="sg-scrub" type="range" min="0" max="0" step="any" value="0" aria-label="time">' +
    '<span class="sg-time">0.00 s</span>' +
    '<select class="sg-speed" aria-label="speed"><option value="0.25">0.25x</option><option value="0.5">0.5x</option>' +
    '<option value="1" selected>1x</option><option value="2">2x</option></select>' +
    '<label class="sg-loop-label"><input class="sg-loop" type="checkbox" checked> loop</label>' +
    '<label class="sg-file-label">open' +
    '<input class="sg-file" type="file" accept=".motion,.json,application/json"></label>' +
    "</div>";

  function create(root) {
    root.classList.add("sg-player");
    root.innerHTML = TEMPLATE;
    const $ = (sel) => root.querySelector(sel);
    const canvas = $(".sg-canvas"), ctx = canvas.getContext("2d");
    const player = {
      doc: null, frame: 0, playing: false, speed: 1, loop: true, orbit: null, path: null, pathAspect: null,
      free: true,
      stats: { frames: 0, totalMs: 0, maxMs: 0, get meanMs() { return this.frames ? this.totalMs / this.frames : 0; } },
      load(doc) {
        checkDocument(doc);
        this.doc = doc;
        this.colors = doc.actors.map((a, i) => a.color || PALETTE[i % PALETTE.length]);
        this.faces = doc.actors.map((a) => faceTrack(a, doc.num_frames, doc.fps));
        this.scales = doc.actors.map((a) => {
          const f = a.joints[0], h = norm(sub(f[J.head], f[J.neck])) + norm(sub(f[9], f[0]));
          return h / 0.40;  // neck-head plus pelvis-spine3 of the 1.75 m rest pose
        });
        let cx = 0, cz = 0;
        doc.actors.forEach((a) => { cx += a.joints[0][0][0]; cz += a.joints[0][0][2]; });
        this.center = [cx / doc.actors.length, cz / doc.actors.length];
        const points = [], aspect = Math.max(canvas.clientWidth, 16) / Math.max(canvas.clientHeight, 16);
        doc.actors.forEach((a) => a.joints.forEach((f) => f.forEach((p) => points.push(p))));
        this.orbit = orbitFrom(Object.assign(framePoints(points, aspect, false, viewAzimuth(points)), { fov: FOV }));
        this.home = Object.assign({}, this.orbit);
        this.path = null;
        this.free = !hasFileCamera(doc);
        $(".sg-scrub").max = String(doc.num_frames - 1);
        $(".sg-message").hidden = true;
        this.seek(0);
        return this;
      },
      loadUrl(url) {
        return fetch(url).then((r) => { if (!r.ok) throw new Error(url + ": HTTP " + r.status); return r.json(); })
          .then((doc) => this.load(doc)).catch((err) => this.fail(err));
      },
      fail(err) {
        const m = $(".sg-message");
        m.textContent = "Cannot play this file: " + err.message;
        m.hidden = false;
      },
      play() { if (this.doc) { this.playing = true; $(".sg-play").textContent = "Pause"; } },
      pause() { this.playing = false; $(".sg-play").textContent = "Play"; },
      seek(frame) { if (this.doc) { this.frame = clamp(frame, 0, this.doc.num_frames - 1); this.draw(); } },
      resetView() {
        if (!this.home) return;
        this.orbit = Object.assign({}, this.home);
        this.free = !hasFileCamera(this.doc);
        this.draw();
      },
      /** The camera of the current frame ({position, target, fov}): the file's, or the free orbit once dragged. */
      camera() {
        if (this.free) return orbitCamera(this.orbit);
        const aspect = Math.max(canvas.clientWidth, 16) / Math.max(canvas.clientHeight, 16);
        if (this.pathAspect !== aspect) { this.path = cameraPath(this.doc, aspect); this.pathAspect = aspect; }
        return pathCamera(this.path, this.frame);
      },
      /** Leave the file's camera for the free orbit, starting where the file's camera is now. */
      takeControl() {
        if (!this.free) { this.orbit = orbitFrom(this.camera()); this.free = true; }
      },
      draw() {
        if (!this.doc) return;
        const start = performance.now(), ratio = global.devicePixelRatio || 1;
        const w = Math.max(canvas.clientWidth, 16), h = Math.max(canvas.clientHeight, 16);
        if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
          canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio);
        }
        ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        drawScene(ctx, makeView(this.camera(), w, h), this, this.frame);
        $(".sg-scrub").value = String(this.frame);
        $(".sg-time").textContent = (this.frame / this.doc.fps).toFixed(2) + " s";
        const ms = performance.now() - start;
        this.stats.frames++; this.stats.totalMs += ms; this.stats.maxMs = Math.max(this.stats.maxMs, ms);
      },
    };

    let last = null;
    function tick(now) {
      if (player.playing && player.doc) {
        const dt = last === null ? 0 : Math.min((now - last) / 1000, 0.25);
        let f = player.frame + dt * player.doc.fps * player.speed;
        if (f > player.doc.num_frames - 1) {
          if (player.loop) f = f % (player.doc.num_frames - 1 || 1);
          else { f = player.doc.num_frames - 1; player.pause(); }
        }
        player.frame = f;
        player.draw();
      }
      last = now;
      global.requestAnimationFrame(tick);
    }
    global.requestAnimationFrame(tick);

    $(".sg-play").addEventListener("click", () => (player.playing ? player.pause() : player.play()));
    $(".sg-scrub").addEventListener("input", (e) => { player.pause(); player.seek(parseFloat(e.target.value)); });
    $(".sg-speed").addEventListener("change", (e) => { player.speed = parseFloat(e.target.value); });
    $(".sg-loop").addEventListener("change", (e) => { player.loop = e.target.checked; });
    $(".sg-file").addEventListener("change", (e) => {
      const file = e.target.files[0];
      if (file) file.text().then((text) => player.load(JSON.parse(text))).catch((err) => player.fail(err));
    });
    root.tabIndex = 0;
    root.addEventListener("keydown", (e) => {
      if (e.code === "Space") { e.preventDefault(); player.playing ? player.pause() : player.play(); }
    });

    // orbit and zoom: mouse, wheel, one-finger drag, two-finger pinch
    const pointers = new Map();
    let pinch = null;
    canvas.addEventListener("pointerdown", (e) => {
      canvas.setPointerCapture(e.pointerId);
      pointers.set(e.pointerId, [e.clientX, e.clientY]);
    });
    canvas.addEventListener("pointerup", (e) => { pointers.delete(e.pointerId); pinch = null; });
    canvas.addEventListener("pointercancel", (e) => { pointers.delete(e.pointerId); pinch = null; });
    canvas.addEventListener("pointermove", (e) => {
      if (!pointers.has(e.pointerId) || !player.orbit) return;
      player.takeControl();
      const prev = pointers.get(e.pointerId);
      pointers.set(e.pointerId, [e.clientX, e.clientY]);
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()], d = Math.hypot(a[0] - b[0], a[1] - b[1]);
        if (pinch) player.orbit.distance = clamp(player.orbit.distance * (pinch / d), 0.5, 200);
        pinch = d;
      } else {
        player.orbit.yaw -= (e.clientX - prev[0]) * 0.01;
        player.orbit.pitch = clamp(player.orbit.pitch + (e.clientY - prev[1]) * 0.01, -0.2, 1.45);
      }
      player.draw();
    });
    canvas.addEventListener("wheel", (e) => {
      if (!player.orbit) return;
      e.preventDefault();
      player.takeControl();
      player.orbit.distance = clamp(player.orbit.distance * Math.exp(e.deltaY * 0.001), 0.5, 200);
      player.draw();
    }, { passive: false });
    canvas.addEventListener("dblclick", () => player.resetView());
    global.addEventListener("resize", () => player.draw());
    return player;
  }

  function boot(root) {
    if (global.STICKGEN_STYLE) STYLE = global.STICKGEN_STYLE;
    const player = create(root);
    global.stickgenPlayer = player;
    const src = new URLSearchParams(global.location.search).get("src");
    const autoplay = () => { if (global.STICKGEN_AUTOPLAY !== false) player.play(); };
    try {
      if (global.STICKGEN_MOTION) {  // an embedded scene (the app's player): no file picker beside it
        root.querySelector(".sg-file-label").hidden = true;
        player.load(global.STICKGEN_MOTION);
        autoplay();
      }
      else if (src) player.loadUrl(src).then(autoplay);
    } catch (err) { player.fail(err); }
    return player;
  }

  global.StickGenPlayer = { create, boot, EXPRESSIONS, SPEECH, PARENTS };
})(window);
