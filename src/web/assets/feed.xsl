<?xml version="1.0" encoding="utf-8"?>
<!-- How a browser shows tagcast's Atom feeds (referenced by each feed's xml-stylesheet instruction): a
     page that says what a feed is and which address to copy, and lists the entries. Feed readers ignore
     it and read the XML. No script and no inline style: the site's stylesheet, as on every page. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="atom:title"/> (feed)</title>
        <link rel="stylesheet" href="/assets/site.css"/>
      </head>
      <body>
        <header class="site-header">
          <a class="brand" href="{atom:link[@rel='alternate']/@href}">tagcast</a>
        </header>
        <main id="main">
          <h1><xsl:value-of select="atom:title"/></h1>
          <div class="notice" role="status">
            <p><strong>This is a feed.</strong> Copy this address into your feed reader to follow it there:</p>
            <p><code class="feed-address"><xsl:value-of select="atom:link[@rel='self']/@href"/></code></p>
            <p class="small">A feed reader (NetNewsWire, Feedly, Thunderbird, Miniflux…) checks it for new issues. In a browser this page is all you see.</p>
          </div>
          <xsl:if test="atom:subtitle">
            <p class="lede"><xsl:value-of select="atom:subtitle"/></p>
          </xsl:if>
          <h2>In this feed</h2>
          <xsl:choose>
            <xsl:when test="atom:entry">
              <ul class="feed-entries">
                <xsl:for-each select="atom:entry">
                  <li>
                    <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
                    <span class="small"> · <xsl:value-of select="substring(atom:updated, 1, 10)"/></span>
                  </li>
                </xsl:for-each>
              </ul>
            </xsl:when>
            <xsl:otherwise>
              <p>Nothing yet: the next issue appears here.</p>
            </xsl:otherwise>
          </xsl:choose>
          <p><a href="{atom:link[@rel='alternate']/@href}">Read it on the site</a></p>
        </main>
        <footer class="site-footer">
          <p>Weekly tag digests, sent by tagcast.</p>
        </footer>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
