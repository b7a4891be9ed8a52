// A session that has ended (idle timeout, signed out in another tab, user disabled) sends the
// browser to the sign-in page, coming back here afterwards, instead of leaving a page whose
// callbacks silently answer 401.
(function () {
    var original = window.fetch;
    var leaving = false;
    window.fetch = function () {
        return original.apply(this, arguments).then(function (response) {
            if (!leaving && response.status === 401 && response.url.indexOf("/_dash-") !== -1) {
                leaving = true;
                var here = window.location.pathname + window.location.search;
                window.location.assign("/login?next=" + encodeURIComponent(here));
            }
            if (leaving && response.status === 401) {
                // the page is going away: Dash need not read (and report) this answer
                return new Promise(function () {});
            }
            return response;
        });
    };
})();
