// Evidence files checked in the browser as soon as they are chosen (the server checks again): a
// file over the evidence store's limit, or files together over the request's, are told beside
// the field and the form is not sent, so a county clerk on a slow line neither waits for an
// upload that will be refused nor loses the note typed (templates/_files.html sets the limits).
document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
  function problem() {
    var most = Number(input.dataset.maxBytes);
    var total = Number(input.dataset.maxTotalBytes);
    var sum = 0;
    for (var i = 0; i < input.files.length; i++) {
      sum += input.files[i].size;
      if (input.files[i].size > most) {
        return input.dataset.tooBig.replace("{name}", input.files[i].name);
      }
    }
    return sum > total ? input.dataset.tooMuch : "";
  }
  input.addEventListener("change", function () {
    input.setCustomValidity(problem());  // the form is not sent while it says something
    input.reportValidity();
  });
});
