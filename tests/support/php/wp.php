<?php
// WordPress's own PHP, driven from the command line for tests/support/wordpress.py:
//   php wp.php <root> install <title> <admin password>   wp_install(), as the installer does
//   php wp.php <root> activate                            activate the Akismet plugin
//   php wp.php <root> option <name> <value>               update_option(), as the Settings screens do
//   php wp.php <root> recheck                             Akismet::cron_recheck(), as WP-Cron runs it
//   php wp.php <root> comment-form <post id>              print comment_form()'s HTML
//   php wp.php <root> comments                            print the comments table (and meta) as JSON
// Every command prints its result as the last line of output.

[, $root, $command] = $argv;
$args = array_slice( $argv, 3 );

if ( 'install' === $command ) {
	define( 'WP_INSTALLING', true );
}
require $root . '/wp-load.php';

switch ( $command ) {
	case 'install':
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$result = wp_install( $args[0], 'admin', 'admin@news.example', true, '', $args[1] );
		echo json_encode( array( 'user_id' => $result['user_id'] ) ), "\n";
		break;
	case 'activate':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$error = activate_plugin( 'akismet/akismet.php' );
		echo json_encode( array( 'activated' => ! is_wp_error( $error ) ) ), "\n";
		break;
	case 'option':
		update_option( $args[0], $args[1] );
		echo json_encode( array( $args[0] => get_option( $args[0] ) ) ), "\n";
		break;
	case 'recheck':
		Akismet::cron_recheck();
		echo json_encode( array( 'rechecked' => true ) ), "\n";
		break;
	case 'comment-form':
		ob_start();
		comment_form( array(), (int) $args[0] );
		echo json_encode( array( 'html' => ob_get_clean() ) ), "\n";
		break;
	case 'comments':
		global $wpdb;
		$rows = $wpdb->get_results( "SELECT comment_ID AS id, comment_content AS content, comment_approved AS approved, comment_author_IP AS ip FROM {$wpdb->comments} ORDER BY comment_ID", ARRAY_A );
		foreach ( $rows as &$row ) {
			$row['meta'] = array_map( 'maybe_unserialize', array_map( 'reset', get_comment_meta( $row['id'] ) ) );
			unset( $row['meta']['akismet_as_submitted'] );
		}
		echo json_encode( array( 'comments' => $rows, 'spam_count' => (int) get_option( 'akismet_spam_count' ) ) ), "\n";
		break;
	default:
		fwrite( STDERR, "unknown command $command\n" );
		exit( 2 );
}
