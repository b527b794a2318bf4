// speech-tasks portal: small conveniences only; every check is repeated on the server.
"use strict";
document.addEventListener("submit", function (event) {
  var button = event.submitter || event.target.querySelector("[data-confirm]");
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  var input = event.target;
  var maxMb = input.getAttribute && input.getAttribute("data-max-mb");
  if (maxMb && input.files && input.files[0] && input.files[0].size > maxMb * 1024 * 1024) {
    window.alert("文件超过 " + maxMb + " MB 上限");
    input.value = "";
  }
});
