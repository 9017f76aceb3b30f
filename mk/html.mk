# The HTML report: cairo draws the charts, Graphviz's libgvc the walk trees.
#   make check-html   the page in headless Chromium: a screenshot that is not
#                     blank, the charts and trees counted in the DOM, tidy's verdict
HTML_PKGS += cairo libgvc
DEB_PACKAGES += libcairo2-dev libgraphviz-dev chromium tidy

$(B)/tests/png-colors: tests/html/png-colors.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(call pkg,--libs,cairo glib-2.0)

.PHONY: check-html
check-html: $(B)/kvmmmu-report $(B)/kvmmmu-report-html $(B)/tests/png-colors
	@KVMMMU_REPORT=$(B)/kvmmmu-report PNG_COLORS=$(B)/tests/png-colors OUT=$(B)/check-html \
	  tests/html/check-html.sh
