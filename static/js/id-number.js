// Shows the birth date and gender as soon as the typed ID number is valid. Runs in the browser
// only: the number is never sent anywhere before the form is submitted. The server checks again.
(function () {
  "use strict";
  var input = document.querySelector(".id-number-input");
  var out = document.getElementById("id-number-derived");
  if (!input || !out) { return; }
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function describe(raw) {
    var n = raw.trim().toUpperCase().replace(/[\uFF10-\uFF19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace("\uFF38", "X");
    if (n.length === 0) { return ""; }
    if (n.length !== 18) { return "已输入 " + n.length + " 位，身份证号应为 18 位"; }
    if (!/^\d{17}[\dX]$/.test(n)) { return "前 17 位只能是数字，最后一位是数字或 X"; }
    var y = +n.slice(6, 10), m = +n.slice(10, 12), d = +n.slice(12, 14);
    var birth = new Date(y, m - 1, d);
    if (birth.getFullYear() !== y || birth.getMonth() !== m - 1 || birth.getDate() !== d || birth > new Date()) {
      return "第 7–14 位出生日期不是有效日期";
    }
    var sum = 0;
    for (var i = 0; i < 17; i++) { sum += (+n[i]) * WEIGHTS[i]; }
    if (CHECK[sum % 11] !== n[17]) { return "校验位不符，请核对号码是否抄错"; }
    var gender = (+n[16]) % 2 ? "男" : "女";
    return "出生日期 " + n.slice(6, 10) + "-" + n.slice(10, 12) + "-" + n.slice(12, 14) + "，性别 " + gender;
  }

  input.addEventListener("input", function () { out.textContent = describe(input.value); });
  out.textContent = describe(input.value);
})();
