/* hearsay share widget: placeholder until the widget lands (issue 3). */
