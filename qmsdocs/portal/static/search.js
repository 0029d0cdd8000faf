/* qmsdocs portal search: reads search-index.js (built with the site) and folds what is
   typed as the build did (qmsdocs.i18n.fold): no diacritics, đ as d, lower case. */
(function () {
  "use strict";
  function fold(text) {
    return text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase().split(/\s+/).filter(Boolean).join(" ");
  }
  function typed(text) { return text.normalize("NFC").toLowerCase().split(/\s+/).filter(Boolean).join(" "); }
  // [href, code, title, kind, names as typed, names folded, text folded]
  function rank(entry, exact, folded, words) {
    if (exact && entry[4].indexOf(exact) >= 0) { return 0; }
    if (entry[5].indexOf(folded) >= 0) { return 1; }
    var all = entry[5] + " " + entry[6];
    for (var i = 0; i < words.length; i++) { if (all.indexOf(words[i]) < 0) { return -1; } }
    return 2;
  }
  function search(query) {
    var folded = fold(query), exact = typed(query), found = [];
    if (!folded) { return found; }
    var words = folded.split(" "), index = window.QMS_INDEX || [];
    for (var i = 0; i < index.length; i++) {
      var r = rank(index[i], exact, folded, words);
      if (r >= 0) { found.push([r, i]); }
    }
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return found.map(function (f) { return index[f[1]]; });
  }
  function show(query) {
    var list = document.getElementById("results"), count = document.getElementById("count");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!fold(query)) { count.textContent = ""; return; }
    var found = search(query);
    count.textContent = found.length ? count.getAttribute("data-some").replace("{n}", found.length)
      : count.getAttribute("data-none");
    found.forEach(function (entry) {
      var item = document.createElement("li"), link = document.createElement("a");
      link.href = entry[0];
      link.textContent = entry[1] + " – " + entry[2];
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = " (" + entry[3] + ")";
      item.appendChild(link);
      item.appendChild(kind);
      list.appendChild(item);
    });
  }
  var input = document.getElementById("q");
  if (!input) { return; }
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); }
  input.addEventListener("input", function () { show(input.value); });
  show(input.value);
  window.qmsSearch = search;
  window.qmsFold = fold;
})();
