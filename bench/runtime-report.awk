# bench/runtime-report.awk: bench/runtime's summary, from its results.tsv.
#
#   awk -v fmt=text|md|csv|dat -v engines="native native-march wasmc ..." \
#       -f bench/runtime-report.awk results.tsv
#
# results.tsv, one line per kernel and engine, tab-separated: kernel, its
# argument, engine, median ms ("-" when the engine is n/a), the reason.
# ratio = median / median of native (clang -O2), except for
# wasmc-cpu-native (wasmc --cpu native): / median of native-march
# (clang -O2 -march=native), so both sides may use the host's CPU features.
# fmt: text (terminal), md (Markdown), csv (kernel,engine,median_ms,ratio),
# dat (gnuplot: a row per kernel, a column per engine but native, "?" = n/a).
BEGIN { FS = "\t"; ne = split(engines, eng, " "); limit = 1.3 }
!($1 in argof) { kern[++nk] = $1; argof[$1] = $2 }
{ ms[$1, $3] = $4; why[$1, $3] = $5 }

function ref(e) { return e == "wasmc-cpu-native" ? "native-march" : "native" }
function label(e) {
  if (e == "native-march") return "march/native"
  if (e == "wasmc-cpu-native") return "wasmc-native/march"
  return e "/native"
}
function cell(k, e) { return ((k, e) in r) ? sprintf("%.2fx", r[k, e]) : "n/a" }
function geo(e) { return n[e] ? sprintf("%.2fx (%d)", exp(lg[e] / n[e]), n[e]) : "n/a" }
function row(first, second, cells,   j, s) { # cells: array indexed 2..ne
  if (fmt == "md") {
    s = "| " first " | " second
    for (j = 2; j <= ne; j++) s = s " | " cells[j]
    return s " |"
  }
  s = sprintf("%-22s %10s", first, second)
  for (j = 2; j <= ne; j++) s = s sprintf(" %" w[j] "s", cells[j])
  return s
}

END {
  for (i = 1; i <= nk; i++)
    for (j = 1; j <= ne; j++) {
      k = kern[i]; e = eng[j]
      if (ms[k, e] == "" || ms[k, e] == "-" || ms[k, ref(e)] + 0 <= 0) continue
      r[k, e] = ms[k, e] / ms[k, ref(e)]
      lg[e] += log(r[k, e]); n[e]++
    }

  if (fmt == "csv") {
    print "kernel,engine,median_ms,ratio"
    for (i = 1; i <= nk; i++)
      for (j = 1; j <= ne; j++)
        if ((kern[i], eng[j]) in r)
          printf "%s,%s,%.3f,%.4f\n", kern[i], eng[j], ms[kern[i], eng[j]], r[kern[i], eng[j]]
    exit
  }
  if (fmt == "dat") {
    s = "kernel"
    for (j = 2; j <= ne; j++) s = s " " label(eng[j])
    print s
    for (i = 1; i <= nk; i++) {
      s = kern[i]
      for (j = 2; j <= ne; j++) s = s " " (((kern[i], eng[j]) in r) ? r[kern[i], eng[j]] : "?")
      print s
    }
    s = "geomean"
    for (j = 2; j <= ne; j++) s = s " " (n[eng[j]] ? exp(lg[eng[j]] / n[eng[j]]) : "?")
    print s
    exit
  }

  # text and md: the table, what was n/a and why, the kernels above 1.3x.
  for (j = 2; j <= ne; j++) {
    head[j] = label(eng[j]); w[j] = length(head[j]) < 9 ? 9 : length(head[j])
  }
  print row("kernel (arg)", "native ms", head)
  if (fmt == "md") {
    s = "|---|---:"
    for (j = 2; j <= ne; j++) s = s "|---:"
    print s "|"
  }
  for (i = 1; i <= nk; i++) {
    k = kern[i]
    for (j = 2; j <= ne; j++) c[j] = cell(k, eng[j])
    print row(k " (" argof[k] ")", sprintf("%.1f", ms[k, "native"]), c)
  }
  for (j = 2; j <= ne; j++) c[j] = geo(eng[j])
  print row(fmt == "md" ? "**geomean** (kernels)" : "geomean (kernels)", "", c)

  b = fmt == "md" ? "- " : "  "
  print ""
  print b "ratio = median time / median of native (clang -O2); march/native: clang -O2 -march=native"
  print b "wasmc-native/march = wasmc --cpu native / native -march=native (host CPU features on both sides)"
  for (i = 1; i <= nk; i++)
    for (j = 2; j <= ne; j++)
      if (!((kern[i], eng[j]) in r))
        print b "n/a: " kern[i] " on " eng[j] ": " why[kern[i], eng[j]]
  split("wasmc wasmc-cpu-native", over, " ")
  for (o = 1; o <= 2; o++) {
    e = over[o]; cnt = 0; names = ""
    for (i = 1; i <= nk; i++)
      if (((kern[i], e) in r) && r[kern[i], e] > limit) {
        cnt++; names = names (names == "" ? "" : ", ") kern[i] sprintf(" %.3fx", r[kern[i], e])
      }
    printf "%s%s above %.1fx: %d of %d kernels%s\n", b, label(e), limit, cnt, n[e] + 0,
      cnt ? " (" names ")" : ""
  }
}
