"""A small page with what slimming removes or keeps: head metadata, scripts, styles, comments,
empty blocks, attributes to drop, an svg (for the aip.html and aip.file HTML tests)."""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8"><meta property="og:title" content="T &amp; Co"><meta name="keywords" content="x">
  <title>Page</title><style>body { color: red; }</style><script>alert('x');</script>
  <link rel="stylesheet" href="s.css">
</head>
<body class="main" onload="go()">
  <!-- comment -->
  <div><span></span><p>  </p></div>
  <h1 data-x="1">Main Title</h1>
  <p>Para with <strong>strong</strong> and <em>em</em>.</p>
  <a href="/x" class="l" extra="gone">Link</a>
  <svg><path d="M0"></path></svg>
</body>
</html>"""
